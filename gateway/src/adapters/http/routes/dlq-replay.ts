/**
 * POST /admin/dlq/replay (admin bearer): re-publishes DLQ records of one partition — an offset
 * range and/or a count, bounded by dlq.replayMaxRecords — to their original topics with
 * `ces-dlq-retry-count` + 1 and their original message id.
 */
import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import { GatewayError } from '../../../errors.ts';
import type { Delivery } from '../../../delivery/index.ts';
import type { HttpDeps, RouteRegistrar } from '../deps.ts';
import { bearerAuth, errors } from './schemas.ts';

const offset = { type: 'string', pattern: '^[0-9]{1,19}$' } as const;

const body = {
  type: 'object',
  additionalProperties: false,
  required: ['partition'],
  properties: {
    partition: { type: 'integer', minimum: 0, maximum: 100000 },
    fromOffset: offset,
    toOffset: offset,
    count: { type: 'integer', minimum: 1 },
  },
} as const;

const answer = {
  type: 'object',
  required: ['status', 'replayed', 'skipped', 'results'],
  properties: {
    status: { type: 'string', enum: ['success'] },
    replayed: { type: 'integer' },
    skipped: { type: 'integer' },
    results: {
      type: 'array',
      items: { type: 'object', properties: { fromOffset: { type: 'string' }, topic: { type: 'string' }, partition: { type: 'integer' }, offset: { type: 'string' } } },
    },
  },
} as const;

interface ReplayBody {
  partition: number;
  fromOffset?: string;
  toOffset?: string;
  count?: number;
}

export function dlqReplayRoutes(delivery: Pick<Delivery, 'replayDlq'>): RouteRegistrar {
  return (app: FastifyInstance, deps: HttpDeps) => {
    const max = deps.config.dlq.replayMaxRecords;
    app.post(
      '/admin/dlq/replay',
      {
        // onRequest: authenticate before the body is parsed or validated (no schema oracle for strangers).
        onRequest: deps.requireBackend as onRequestHookHandler,
        schema: {
          summary: 'Re-publish dead-lettered records to their original topics (admin).',
          tags: ['admin'],
          security: bearerAuth,
          body,
          response: { 200: answer, ...errors(400, 401, 413, 415, 503) },
        },
      },
      async (request) => {
        const b = request.body as ReplayBody;
        if (b.count !== undefined && b.count > max) throw new GatewayError('INVALID_REQUEST', { message: `count must be at most ${max} (dlq.replayMaxRecords)` });
        if (b.fromOffset !== undefined && b.toOffset !== undefined && BigInt(b.toOffset) < BigInt(b.fromOffset)) {
          throw new GatewayError('INVALID_REQUEST', { message: 'toOffset must not be below fromOffset' });
        }
        const selection = { partition: b.partition, count: b.count ?? max, ...(b.fromOffset ? { fromOffset: b.fromOffset } : {}), ...(b.toOffset ? { toOffset: b.toOffset } : {}) };
        try {
          return { status: 'success', ...(await delivery.replayDlq(selection)) };
        } catch (err) {
          throw new GatewayError('UNAVAILABLE', { message: 'DLQ replay failed; nothing after the last reported record was re-published', cause: err });
        }
      },
    );
  };
}
