/**
 * Push and client publish carry W3C trace context into the Kafka record they produce: a push
 * continues the HTTP request's `traceparent`; a client publish starts a new trace.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Producer } from '../ports/producer.ts';
import type { OutboundRecord } from '../core/dlq.ts';
import { push } from './publish.ts';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

function capturingProducer(): Producer & { sent: OutboundRecord[] } {
  const sent: OutboundRecord[] = [];
  return {
    sent,
    async send(_topic, record) {
      sent.push(record);
      return { topic: 't', partition: 0, offset: String(sent.length - 1) };
    },
    async sendBatch() {},
    async connect() {},
    async disconnect() {},
  };
}

describe('trace context on produced records', () => {
  const exporter = new InMemorySpanExporter();
  before(() => {
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
  });

  it('a push continues the request traceparent into the record headers and ends its producer span', async () => {
    const producer = capturingProducer();
    await push(producer, 'orders', { target: { customerId: 'C1' }, event: 'e', data: 1 }, { traceparent: `00-${TRACE}-00f067aa0ba902b7-01` });
    const header = String(producer.sent[0]?.headers?.traceparent ?? '');
    assert.equal(header.split('-')[1], TRACE);
    assert.ok(exporter.getFinishedSpans().some((s) => s.name === 'ces.publish.push' && s.spanContext().traceId === TRACE));
  });

  it('a push without context starts a new trace; a hostile traceparent is ignored', async () => {
    const producer = capturingProducer();
    await push(producer, 'orders', { target: { room: 'r1' }, event: 'e', data: 1 }, { traceparent: '00-zzzz-not-a-trace' });
    const header = String(producer.sent[0]?.headers?.traceparent ?? '');
    assert.match(header, /^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
    assert.notEqual(header.split('-')[1], TRACE);
  });
});
