/**
 * POST /api/push (backend bearer): `{target: {sessionId|customerId|room|broadcast}, event, data}`
 * → produced to the stream's topic with the idempotent, acks=all producer; answers where it went.
 * The record then flows like any other: consume → history → live.
 */
import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import { GatewayError } from '../../../errors.ts';
import type { Delivery } from '../../../delivery/index.ts';
import { pushBodySchema, type PushRequest } from '../../../delivery/publish.ts';
import type { HttpDeps, RouteRegistrar } from '../deps.ts';
import { bearerAuth, errors } from './schemas.ts';

const answer = {
  type: 'object',
  required: ['status', 'topic', 'partition', 'offset'],
  properties: { status: { type: 'string', enum: ['success'] }, topic: { type: 'string' }, partition: { type: 'integer' }, offset: { type: 'string' } },
} as const;

export function pushRoutes(delivery: Pick<Delivery, 'push'>): RouteRegistrar {
  return (app: FastifyInstance, deps: HttpDeps) => {
    app.post(
      '/api/push',
      {
        // onRequest: authenticate before the body is parsed or validated (no schema oracle for strangers).
        onRequest: deps.requireBackend as onRequestHookHandler,
        schema: {
          summary: 'Push an event to a session, customer, room or everyone (backend).',
          tags: ['push'],
          security: bearerAuth,
          body: pushBodySchema,
          response: { 200: answer, ...errors(400, 401, 413, 415, 503) },
        },
      },
      async (request) => {
        try {
          const result = await delivery.push(request.body as PushRequest, { traceparent: request.headers.traceparent, tracestate: request.headers.tracestate });
          return { status: 'success', ...result };
        } catch (err) {
          throw new GatewayError('UNAVAILABLE', { message: 'Could not produce the event now; retry', cause: err });
        }
      },
    );
  };
}
