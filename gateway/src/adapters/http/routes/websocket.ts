/**
 * GET /ws/{sessionId} as an HTTP route: WebSocket upgrades never reach fastify (adapters/ws
 * handles the server's 'upgrade' event); a plain GET gets 426 UPGRADE_REQUIRED. The route exists
 * so the OpenAPI document describes the endpoint and every refusal it can answer.
 */
import type { FastifyInstance } from 'fastify';
import { GatewayError } from '../../../errors.ts';
import type { HttpDeps } from '../deps.ts';
import { errors, sessionIdParam } from './schemas.ts';

export function register(app: FastifyInstance, _deps: HttpDeps): void {
  app.get(
    '/ws/:sessionId',
    {
      schema: {
        summary: 'WebSocket endpoint (ces.v1). Upgrade with Sec-WebSocket-Protocol: ces.v1; optional query resume=<base64url JSON {channel: {seq, epoch}}>.',
        description:
          'Only registered, unexpired, unrevoked sessions upgrade, from an allowed Origin. Refusals happen before the upgrade with the status and JSON error body: 400 INVALID_SESSION / INVALID_REQUEST (resume) / TOKEN_IN_URL, 403 FORBIDDEN_ORIGIN / SESSION_NOT_REGISTERED / SESSION_REVOKED, 404 SESSION_NOT_FOUND, 410 SESSION_EXPIRED, 429 RATE_LIMITED (Retry-After), 503 SHUTTING_DOWN / UNAVAILABLE. Frames and close codes: docs/gateway-edge.md.',
        tags: ['websocket'],
        params: sessionIdParam,
        querystring: { type: 'object', properties: { resume: { type: 'string', description: 'base64url(JSON) resume positions' } } },
        response: { 101: { description: 'Switching Protocols (WebSocket upgrade)', type: 'null' }, ...errors(400, 403, 404, 410, 426, 429, 503) },
      },
    },
    async () => {
      throw new GatewayError('UPGRADE_REQUIRED');
    },
  );
}
