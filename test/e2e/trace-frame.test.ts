/**
 * Trace ids reach the client through a real gateway (real Kafka, Redis, WebSocket): a record whose
 * W3C `traceparent` header names a trace arrives as a frame whose `traceId` is that trace; a
 * record with a malformed or hostile header arrives without one (nothing invented, nothing echoed).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Kafka, logLevel } from 'kafkajs';
import WebSocket from 'ws';
import { needs, uniqueName } from '../support/infra.ts';
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
    await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: 1 })), waitForLeaders: true });
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

  it('carries the record trace id into the frame, and none for malformed or hostile headers', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const bad = ['00-zz-00-01', `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`, `00-${traceId}-00f067aa0ba902b7-01\r\ninjected: 1`, 'x'.repeat(5000)];
    const producer = client.producer();
    await producer.connect();
    await producer.send({
      topic: topics[0]!,
      messages: [
        { value: JSON.stringify({ n: 0 }), headers: { 'ces-session-id': sessionId, traceparent: `00-${traceId}-00f067aa0ba902b7-01` } },
        ...bad.map((traceparent, i) => ({ value: JSON.stringify({ n: i + 1 }), headers: { 'ces-session-id': sessionId, traceparent } })),
      ],
    });
    await producer.disconnect();
    const messages = () => frames.filter((f) => f.type === 'message');
    await waitUntil('all frames', () => messages().length === bad.length + 1, { timeoutMs: 20_000, intervalMs: 50 });
    const byN = new Map(messages().map((f) => [(f.data as { n: number }).n, f.traceId]));
    assert.equal(byN.get(0), traceId);
    for (let i = 1; i <= bad.length; i++) assert.equal(byN.get(i), undefined, `bad header ${i}`);
  });
});
