/** GET /healthz (process alive), GET /readyz (store reachable, delivery ready, not draining), GET /metrics. */
import type { FastifyInstance } from 'fastify';
import type { HttpDeps } from '../deps.ts';

const healthSchema = {
  type: 'object',
  required: ['status'],
  properties: { status: { type: 'string', enum: ['ok', 'unavailable'] }, checks: { type: 'object', additionalProperties: { type: 'boolean' } } },
} as const;

export function register(app: FastifyInstance, deps: HttpDeps): void {
  app.get(
    '/healthz',
    { schema: { summary: 'Liveness: the process serves HTTP.', tags: ['health'], response: { 200: healthSchema } } },
    async () => ({ status: 'ok' }),
  );
  app.get(
    '/readyz',
    {
      schema: {
        summary: 'Readiness: session store reachable, delivery ready (Kafka group joined), not draining.',
        tags: ['health'],
        response: { 200: healthSchema, 503: healthSchema },
      },
    },
    async (_request, reply) => {
      const { ready, checks } = await deps.readiness();
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ok' : 'unavailable', checks });
    },
  );
  app.get(
    '/metrics',
    { schema: { summary: 'Prometheus metrics (text exposition format).', tags: ['health'], produces: ['text/plain'], response: { 200: { type: 'string' } } } },
    async (_request, reply) => reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics()),
  );
}
