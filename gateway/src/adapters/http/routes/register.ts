/**
 * POST /api/register — seed 000 §6.1, field for field. Validates format and authenticity
 * (auth/authenticator.ts), marks the session registered and answers the WebSocket URL built from
 * the configured public URL. Rate limited per client IP (fleet-wide with Redis). Every outcome is
 * an audit log line and a `ces_gateway_registrations_total{outcome}` increment.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RegistrationOutcome } from '@ces/contracts/metrics';
import { GatewayError, isGatewayError, type ErrorCode } from '../../../errors.ts';
import { fingerprint } from '../../../observability/logger.ts';
import type { HttpDeps } from '../deps.ts';
import { errors } from './schemas.ts';

const OUTCOMES: Partial<Record<ErrorCode, RegistrationOutcome>> = {
  INVALID_SESSION: 'invalid',
  INVALID_REQUEST: 'invalid',
  SESSION_NOT_FOUND: 'unauthorized',
  UNAUTHORIZED: 'unauthorized',
  SESSION_EXPIRED: 'expired',
  SESSION_REVOKED: 'revoked',
  RATE_LIMITED: 'rate_limited',
  CAPACITY_EXCEEDED: 'capacity',
};

const bodySchema = {
  type: 'object',
  required: ['sessionId'],
  additionalProperties: false,
  properties: { sessionId: { type: 'string', description: 'The session id minted by POST /api/sessions (registry mode) or the `sid` claim of the token (jwt mode).' } },
} as const;

const successSchema = {
  type: 'object',
  required: ['status', 'message', 'websocketUrl'],
  properties: {
    status: { type: 'string', enum: ['success'] },
    message: { type: 'string' },
    websocketUrl: { type: 'string', description: 'ws[s]://host:port/ws/{sessionId}' },
  },
} as const;

export function register(app: FastifyInstance, deps: HttpDeps): void {
  const audit = deps.logger.child({ component: 'register' });

  function validationError(request: FastifyRequest): GatewayError | undefined {
    const problems = request.validationError?.validation;
    if (!problems) return undefined;
    const aboutSessionId = problems.some((p: { instancePath: string; params: unknown }) => p.instancePath === '/sessionId' || (p.params as { missingProperty?: string }).missingProperty === 'sessionId');
    return aboutSessionId ? new GatewayError('INVALID_SESSION') : new GatewayError('INVALID_REQUEST', { message: `Invalid request: ${request.validationError!.message}` });
  }

  app.post(
    '/api/register',
    {
      attachValidation: true,
      schema: {
        summary: 'Register a session; answers the WebSocket URL to connect to.',
        description:
          'registry mode: the sessionId must have been minted by POST /api/sessions. jwt mode: send the session token as Authorization: Bearer <jwt>; its sid claim must equal sessionId. Tokens in the URL are refused (TOKEN_IN_URL).',
        tags: ['sessions'],
        security: [{}, { sessionToken: [] }],
        body: bodySchema,
        response: { 200: successSchema, ...errors(400, 401, 403, 404, 410, 413, 415, 429, 503) },
      },
    },
    async (request) => {
      const ip = request.ip;
      let sessionId: unknown;
      try {
        // Every attempt counts against the budget, malformed ones included.
        const decision = await deps.limits.register.consume(ip);
        if (!decision.allowed) throw new GatewayError('RATE_LIMITED', { retryAfterSeconds: Math.ceil(decision.retryAfterMs / 1000) });
        const invalid = validationError(request);
        if (invalid) throw invalid;
        sessionId = (request.body as { sessionId: string }).sessionId;
        const session = await deps.auth.register(sessionId, request.headers.authorization);
        deps.metrics.registrationsTotal.inc({ outcome: 'ok' });
        audit.info({ event: 'register', outcome: 'ok', session: fingerprint(session.sessionId), ip }, 'session registered');
        return {
          status: 'success',
          message: 'Session registered successfully',
          websocketUrl: `${deps.websocketBaseUrl()}/ws/${encodeURIComponent(session.sessionId)}`,
        };
      } catch (err) {
        const gwErr = isGatewayError(err) ? err : new GatewayError('UNAVAILABLE', { cause: err });
        const outcome = OUTCOMES[gwErr.code] ?? 'error';
        deps.metrics.registrationsTotal.inc({ outcome });
        const session = typeof sessionId === 'string' ? fingerprint(sessionId) : undefined;
        audit.info({ event: 'register', outcome, errorCode: gwErr.code, session, ip, ...(gwErr.status >= 500 ? { err: gwErr.cause } : {}) }, 'registration refused');
        throw gwErr;
      }
    },
  );
}
