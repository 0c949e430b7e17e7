/**
 * POST /api/push and POST /admin/dlq/replay through the edge's real fastify server, backed by
 * delivery on in-memory twins: valid, malformed, oversized, hostile and unauthorized input.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { createHttpServer, type HttpDepsWithoutGuard } from '../server.ts';
import { createLogger } from '../../../observability/logger.ts';
import { createMetrics } from '../../../observability/metrics.ts';
import { loadConfig } from '../../../config/load.ts';
import { createFixture, type Fixture } from '../../../delivery/delivery-fixture.ts';
import { dlqRecordOf } from '../../../core/dlq.ts';
import { pushRoutes } from './push.ts';
import { dlqReplayRoutes } from './dlq-replay.ts';

const TOKEN = 'test-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };

describe('push and DLQ replay routes', () => {
  let f: Fixture;
  let app: FastifyInstance;
  before(async () => {
    f = await createFixture();
    const config = loadConfig([], {}, { auth: { apiToken: TOKEN }, dlq: { replayMaxRecords: 5 }, http: { bodyLimitBytes: 2048 } });
    const deps = {
      config,
      logger: createLogger({ level: 'silent', node: 'test' }),
      metrics: createMetrics(undefined, { defaultMetrics: false }),
      sessions: f.sessions,
      websocketBaseUrl: () => 'ws://127.0.0.1',
      readiness: async () => ({ ready: true, checks: {} }),
      kick: async () => undefined,
    } as unknown as HttpDepsWithoutGuard;
    app = await createHttpServer(deps, [pushRoutes(f.delivery), dlqReplayRoutes(f.delivery)]);
  });
  after(async () => {
    await app?.close();
    await f?.close();
  });

  it('produces a valid push to the stream topic with the target header and answers its position', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/push', headers: auth, payload: { target: { customerId: 'C9' }, event: 'order.paid', data: { id: 7 } } });
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.deepEqual([body.status, body.topic], ['success', f.topic]);
    const record = f.kafka.topics.get(f.topic)![body.partition]![Number(body.offset)]!;
    assert.deepEqual([record.headers['ces-customer-id'], record.headers['ces-event'], JSON.parse(record.value!.toString())], ['C9', 'order.paid', { id: 7 }]);
  });

  it('refuses unauthorized, malformed, hostile and oversized pushes without producing', async () => {
    const before = f.kafka.topics.get(f.topic)!.flat().length;
    const cases: [Record<string, string>, unknown, number][] = [
      [{}, { target: { sessionId: 'S' }, event: 'e', data: 1 }, 401],
      [{ authorization: 'Bearer wrong' }, { target: { sessionId: 'S' }, event: 'e', data: 1 }, 401],
      [{}, { nonsense: true }, 401],
      [auth, { target: {}, event: 'e', data: 1 }, 400],
      [auth, { target: { sessionId: 'S', room: 'r' }, event: 'e', data: 1 }, 400],
      [auth, { target: { sessionId: '{ch:x}' }, event: 'e', data: 1 }, 400],
      [auth, { target: { broadcast: false }, event: 'e', data: 1 }, 400],
      [auth, { target: { sessionId: 'S' }, event: 'has space', data: 1 }, 400],
      [auth, { target: { sessionId: 'S' }, event: 'e' }, 400],
      [auth, { target: { sessionId: 'S' }, event: 'e', data: 1, extra: true }, 400],
      [auth, { target: { sessionId: 'S' }, event: 'e', data: 'x'.repeat(5000) }, 413],
    ];
    for (const [headers, payload, status] of cases) {
      const res = await app.inject({ method: 'POST', url: '/api/push', headers, payload: payload as object });
      assert.equal(res.statusCode, status, JSON.stringify(payload).slice(0, 80));
      assert.equal(res.json().status, 'error');
    }
    const proto = await app.inject({ method: 'POST', url: '/api/push', headers: { ...auth, 'content-type': 'application/json' }, payload: '{"target":{"sessionId":"S"},"event":"e","data":1,"__proto__":{"x":1}}' });
    assert.equal(proto.statusCode, 400);
    assert.equal(f.kafka.topics.get(f.topic)!.flat().length, before);
  });

  it('replays selected DLQ records to their original topic with retry count + 1', async () => {
    const original = { topic: f.topic, partition: 1, offset: '12', timestamp: '1700000000000', key: Buffer.from('k'), value: Buffer.from('{"a":1}'), headers: { 'ces-session-id': 'S' } };
    f.kafka.append(f.dlq, dlqRecordOf(original, 'unknown_session', 'no live session'), 0);
    f.kafka.append(f.dlq, { key: null, value: Buffer.from('foreign'), headers: {} }, 0);
    const res = await app.inject({ method: 'POST', url: '/admin/dlq/replay', headers: auth, payload: { partition: 0, fromOffset: '0', count: 2 } });
    assert.equal(res.statusCode, 200);
    assert.deepEqual([res.json().replayed, res.json().skipped], [1, 1]);
    const { partition, offset } = res.json().results[0];
    const replayed = f.kafka.topics.get(f.topic)![partition]![Number(offset)]!;
    assert.deepEqual(replayed.value, original.value);
    assert.deepEqual(replayed.headers, { 'ces-session-id': 'S', 'ces-dlq-retry-count': '1', 'ces-message-id': `${f.topic}-1-12` });
  });

  it('refuses unauthorized and out-of-bounds replays', async () => {
    const cases: [Record<string, string>, unknown, number][] = [
      [{}, { partition: 0 }, 401],
      [{}, { partition: 'x' }, 401],
      [auth, { partition: -1 }, 400],
      [auth, { partition: 0, count: 6 }, 400],
      [auth, { partition: 0, fromOffset: '5', toOffset: '4' }, 400],
      [auth, { partition: 0, fromOffset: '1; DROP' }, 400],
      [auth, { partition: 0, extra: 1 }, 400],
    ];
    for (const [headers, payload, status] of cases) {
      const res = await app.inject({ method: 'POST', url: '/admin/dlq/replay', headers, payload: payload as object });
      assert.equal(res.statusCode, status, JSON.stringify(payload));
    }
  });
});
