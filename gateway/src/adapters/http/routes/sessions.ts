/**
 * Backend session management (registry mode mints here): POST /api/sessions,
 * GET /api/sessions/{sessionId}, DELETE /api/sessions/{sessionId} (revoke: the live socket, on
 * whichever gateway holds it, closes with REVOKED 4502). All require the backend bearer token.
 */
import type { FastifyInstance } from 'fastify';
import { GatewayError } from '../../../errors.ts';
import { fingerprint } from '../../../observability/logger.ts';
import { isValidSessionId, mintSessionId } from '../../../auth/session-ids.ts';
import type { Session } from '../../../ports/session-store.ts';
import type { HttpDeps } from '../deps.ts';
import { bearerAuth, errors, sessionIdParam, sessionView } from './schemas.ts';

const createBody = {
  type: 'object',
  required: ['customerId'],
  additionalProperties: false,
  properties: {
    customerId: { type: 'string', minLength: 1, maxLength: 256 },
    rooms: { type: 'array', maxItems: 100, uniqueItems: true, items: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,128}$' } },
    ttlSeconds: { type: 'integer', minimum: 1, maximum: 2592000, description: 'Session lifetime; default session.ttlSeconds.' },
  },
} as const;

function view(s: Session) {
  return {
    sessionId: s.sessionId,
    customerId: s.customerId,
    rooms: [...s.rooms],
    state: s.state,
    createdAt: new Date(s.createdAt).toISOString(),
    expiresAt: new Date(s.expiresAt).toISOString(),
    connected: s.holder !== undefined,
    ...(s.holder ? { node: s.holder.node } : {}),
  };
}

function sessionIdOf(params: unknown): string {
  const id = (params as { sessionId: string }).sessionId;
  if (!isValidSessionId(id)) throw new GatewayError('INVALID_SESSION');
  return id;
}

export function register(app: FastifyInstance, deps: HttpDeps): void {
  const audit = deps.logger.child({ component: 'sessions' });
  const common = { preHandler: deps.requireBackend };

  app.post(
    '/api/sessions',
    {
      ...common,
      schema: {
        summary: 'Mint a session (backend). The client then registers it with POST /api/register.',
        tags: ['sessions'],
        security: bearerAuth,
        body: createBody,
        response: { 201: { type: 'object', required: ['status', 'session'], properties: { status: { type: 'string', enum: ['success'] }, session: sessionView } }, ...errors(400, 401, 413, 415, 503) },
      },
    },
    async (request, reply) => {
      const body = request.body as { customerId: string; rooms?: string[]; ttlSeconds?: number };
      const ttlMs = (body.ttlSeconds ?? deps.config.session.ttlSeconds) * 1000;
      const sessionId = mintSessionId();
      const result = await deps.sessions.create({ sessionId, customerId: body.customerId, rooms: body.rooms ?? [], ttlMs }, deps.config.session.max);
      if (result === 'capacity') throw new GatewayError('CAPACITY_EXCEEDED');
      if (result === 'exists') throw new GatewayError('INTERNAL', { message: 'Session id collision; retry' });
      audit.info({ event: 'session_created', session: fingerprint(sessionId) }, 'session minted');
      const session = await deps.sessions.get(sessionId);
      return reply.code(201).send({ status: 'success', session: view(session!) });
    },
  );

  app.get(
    '/api/sessions/:sessionId',
    {
      ...common,
      schema: {
        summary: 'Show a session: state, expiry, whether and where it is connected (backend).',
        tags: ['sessions'],
        security: bearerAuth,
        params: sessionIdParam,
        response: { 200: { type: 'object', required: ['status', 'session'], properties: { status: { type: 'string', enum: ['success'] }, session: sessionView } }, ...errors(400, 401, 404, 503) },
      },
    },
    async (request) => {
      const session = await deps.sessions.get(sessionIdOf(request.params));
      if (!session) throw new GatewayError('SESSION_NOT_FOUND');
      return { status: 'success', session: view(session) };
    },
  );

  app.delete(
    '/api/sessions/:sessionId',
    {
      ...common,
      schema: {
        summary: 'Revoke a session (backend): it can never register or connect again; its live socket closes with 4502.',
        tags: ['sessions'],
        security: bearerAuth,
        params: sessionIdParam,
        response: { 200: { type: 'object', required: ['status', 'message'], properties: { status: { type: 'string', enum: ['success'] }, message: { type: 'string' } } }, ...errors(400, 401, 404, 503) },
      },
    },
    async (request) => {
      const sessionId = sessionIdOf(request.params);
      const revoked = await deps.sessions.revoke(sessionId);
      if (!revoked) throw new GatewayError('SESSION_NOT_FOUND');
      if (revoked.holder) await deps.kick(sessionId, revoked.holder, 'REVOKED');
      audit.info({ event: 'session_revoked', session: fingerprint(sessionId), connected: Boolean(revoked.holder) }, 'session revoked');
      return { status: 'success', message: 'Session revoked' };
    },
  );
}
