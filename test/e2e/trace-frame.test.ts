/**
 * Traces through a real gateway (real Kafka, Redis, WebSocket). Tracing off: a record whose W3C
 * `traceparent` names a trace arrives as a frame with that `traceId`; malformed or hostile
 * headers give none (nothing invented, nothing echoed). Tracing on (in-memory exporter): one trace
 * from the Kafka record (consume → decode → route → history) to the socket write (deliver), and
 * the frame's `traceId` is that trace — continuing the record's trace, or a new one without it.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Kafka, logLevel } from 'kafkajs';
import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import WebSocket from 'ws';
import { needs, uniqueName } from '../support/infra.ts';
import { createTopicsAndWait } from '../support/kafka.ts';
import { waitUntil } from '../infra/procs.ts';
import { startGateway, type StartedGateway } from '@ces/gateway/testing/start-gateway';

const kafka = needs('kafka');
const redis = needs('redis');

describe('trace id from the Kafka record to the client frame', { skip: kafka.skip || redis.skip }, () => {
  const name = uniqueName('trace').replace(/[^a-z0-9-]/g, '-');
  const topics = [`${name}-events`, `${name}-dlq`, `${name}-inbound`];
  const client = new Kafka({ clientId: name, brokers: kafka.value?.brokers ?? [], logLevel: logLevel.NOTHING });
  const frames: { type: string; traceId?: string; data?: unknown }[] = [];
  let gateway: StartedGateway | undefined;
  let ws: WebSocket | undefined;
  let sessionId = '';

  before(async () => {
    const admin = client.admin();
    await admin.connect();
    await createTopicsAndWait(admin, topics.map((topic) => ({ topic, numPartitions: 1 })));
    await admin.disconnect();
    gateway = await startGateway({
      node: name,
      redis: { url: redis.value!.url, keyPrefix: name },
      kafka: { brokers: kafka.value!.brokers, topics: [topics[0]], groupId: `${name}-group`, clientId: name, dlqTopic: topics[1], inboundTopic: topics[2], maxWaitMs: 100 },
    });
    sessionId = await gateway.newSession();
    ws = new WebSocket(`${gateway.wsUrl}/ws/${sessionId}`, 'ces.v1');
    await new Promise<void>((resolve, reject) => {
      ws!.on('message', (raw) => {
        const frame = JSON.parse(raw.toString()) as { type: string };
        if (frame.type === 'welcome') resolve();
        frames.push(frame);
      });
      ws!.once('error', reject);
    });
  });

  after(async () => {
    ws?.terminate();
    await gateway?.stop();
    const admin = client.admin();
    await admin.connect();
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.deleteGroups([`${name}-group`]).catch(() => undefined);
    await admin.disconnect();
  });

  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  const parentSpanId = '00f067aa0ba902b7';

  /** Produces records `n = from…` with the given traceparents (undefined = no header); returns their frames by n. */
  async function roundTrip(from: number, traceparents: (string | undefined)[]): Promise<Map<number, string | undefined>> {
    const producer = client.producer();
    await producer.connect();
    await producer.send({
      topic: topics[0]!,
      messages: traceparents.map((tp, i) => ({
        value: JSON.stringify({ n: from + i }),
        headers: { 'ces-session-id': sessionId, ...(tp === undefined ? {} : { traceparent: tp }) },
      })),
    });
    await producer.disconnect();
    const mine = () => frames.filter((f) => f.type === 'message' && (f.data as { n: number }).n >= from);
    await waitUntil('frames', () => mine().length === traceparents.length, { timeoutMs: 20_000, intervalMs: 50 });
    return new Map(mine().map((f) => [(f.data as { n: number }).n, f.traceId]));
  }

  it('tracing off: carries the record trace id into the frame, and none for malformed or hostile headers', async () => {
    const bad = ['00-zz-00-01', `00-${'0'.repeat(32)}-${parentSpanId}-01`, `00-${traceId}-${parentSpanId}-01\r\ninjected: 1`, 'x'.repeat(5000), undefined];
    const byN = await roundTrip(0, [`00-${traceId}-${parentSpanId}-01`, ...bad]);
    assert.equal(byN.get(0), traceId);
    for (let i = 1; i <= bad.length; i++) assert.equal(byN.get(i), undefined, `bad header ${i}`);
  });

  it('tracing on: one trace from the Kafka record to the socket write, and the frame carries it', async () => {
    const exporter = new InMemorySpanExporter();
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
    const byN = await roundTrip(100, [`00-${traceId}-${parentSpanId}-01`, undefined, 'garbage']);
    const stages = ['ces.consume', 'ces.decode', 'ces.deliver', 'ces.history', 'ces.route'];
    const namesOf = (id: string) => exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === id).map((s) => s.name).sort();
    // The record's own trace continues; records without (valid) context start one each.
    assert.equal(byN.get(100), traceId);
    const fresh = [byN.get(101), byN.get(102)];
    for (const id of fresh) assert.match(id ?? '', /^[0-9a-f]{32}$/);
    assert.equal(new Set([traceId, ...fresh]).size, 3);
    for (const id of [traceId, ...fresh]) await waitUntil(`spans of ${id}`, () => namesOf(id!).length >= stages.length, { timeoutMs: 10_000, intervalMs: 50 });
    for (const id of [traceId, ...fresh]) assert.deepEqual(namesOf(id!), stages, id);
    const consume = exporter.getFinishedSpans().find((s) => s.name === 'ces.consume' && s.spanContext().traceId === traceId)!;
    assert.equal(consume.parentSpanContext?.spanId, parentSpanId);
    assert.equal(consume.attributes['messaging.destination.name'], topics[0]);
  });
});
