/**
 * The tracing helpers with an in-memory exporter: one trace from a Kafka record's headers through
 * consume → decode → route → history → deliver, the frame's traceId equal to it; new traces for
 * records without context; publish context injected into produced headers; tracing off by default.
 */
import { describe, it, before, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { messageFrame, storedMessageOf } from '../core/envelope.ts';
import type { SourceRecord } from '../core/record.ts';
import { startDeliverySpan, startPublishSpan, startRecordTrace, tracingEnabled, startTracing, extractContext, injectContext } from './tracing.ts';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';

function record(headers: Record<string, string> = {}): SourceRecord {
  return { topic: 'orders', partition: 2, offset: '41', timestamp: '1700000000000', key: null, value: Buffer.from('{"a":1}'), headers };
}

/** Runs the data path the way the gateway does and returns the frame a client receives. */
async function pipeline(rec: SourceRecord, fail?: 'history') {
  const t = startRecordTrace({ ...rec, headers: rec.headers });
  const data = await t.stage('decode', () => JSON.parse(rec.value!.toString()) as unknown);
  await t.stage('route', () => ['s:abc']);
  const traced = t.traceparent === undefined ? rec : { ...rec, headers: { ...rec.headers, traceparent: t.traceparent } };
  const message = storedMessageOf(traced, data);
  try {
    await t.stage('history', () => {
      if (fail) throw new Error('redis down');
    });
  } catch (err) {
    t.end('failed', err);
    return undefined;
  }
  t.end('delivered');
  const span = startDeliverySpan(message.traceId, { channel: 's:abc', seq: 1, path: 'live' });
  const frame = messageFrame({ channel: 's:abc', seq: 1, epoch: 'e', message }, 'abc');
  span.end();
  return frame;
}

describe('tracing off (no SDK registered)', () => {
  it('is enabled only by the standard OTEL_* variables', () => {
    assert.equal(tracingEnabled({}), false);
    assert.equal(tracingEnabled({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }), true);
    assert.equal(tracingEnabled({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/v1/traces' }), true);
    assert.equal(tracingEnabled({ OTEL_TRACES_EXPORTER: 'otlp' }), true);
    assert.equal(tracingEnabled({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x' }), false);
    assert.equal(tracingEnabled({ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x' }), false);
  });

  it('starts nothing when disabled', async () => {
    const handle = startTracing({ enabled: false });
    assert.equal(handle.enabled, false);
    await handle.shutdown();
  });

  it('still carries a record\'s own trace id to the frame, and invents none', async () => {
    assert.equal((await pipeline(record({ traceparent: `00-${TRACE}-${PARENT}-01` })))?.traceId, TRACE);
    assert.equal((await pipeline(record()))?.traceId, undefined);
    assert.equal(startPublishSpan('push', 'orders').traceId, undefined);
  });
});

describe('tracing on (in-memory exporter)', () => {
  const exporter = new InMemorySpanExporter();
  before(() => {
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
  });
  beforeEach(() => exporter.reset());

  it('continues the record\'s trace from consume through every stage to the socket write', async () => {
    const frame = await pipeline(record({ traceparent: `00-${TRACE}-${PARENT}-01` }));
    const spans = exporter.getFinishedSpans();
    assert.deepEqual(spans.map((s) => s.name).sort(), ['ces.consume', 'ces.decode', 'ces.deliver', 'ces.history', 'ces.route']);
    assert.deepEqual(new Set(spans.map((s) => s.spanContext().traceId)), new Set([TRACE]));
    assert.equal(frame?.traceId, TRACE);
    const consume = spans.find((s) => s.name === 'ces.consume')!;
    assert.equal(consume.parentSpanContext?.spanId, PARENT);
    for (const stage of ['ces.decode', 'ces.route', 'ces.history']) {
      assert.equal(spans.find((s) => s.name === stage)!.parentSpanContext?.spanId, consume.spanContext().spanId, stage);
    }
    assert.equal(consume.attributes['messaging.destination.name'], 'orders');
  });

  it('starts a new trace for a record without context, and the frame carries its id', async () => {
    const frame = await pipeline(record());
    const spans = exporter.getFinishedSpans();
    const consume = spans.find((s) => s.name === 'ces.consume')!;
    assert.equal(consume.parentSpanContext, undefined);
    assert.match(frame?.traceId ?? '', /^[0-9a-f]{32}$/);
    assert.deepEqual(new Set(spans.map((s) => s.spanContext().traceId)), new Set([frame!.traceId]));
  });

  it('ignores malformed or hostile traceparent headers and starts a fresh trace', async () => {
    for (const bad of ['00-zz-00-01', `00-${'0'.repeat(32)}-${PARENT}-01`, `00-${TRACE}-${PARENT}-01\r\nx: y`, 'x'.repeat(10_000)]) {
      exporter.reset();
      const frame = await pipeline(record({ traceparent: bad }));
      assert.notEqual(frame?.traceId, TRACE, bad.slice(0, 40));
      assert.match(frame?.traceId ?? '', /^[0-9a-f]{32}$/);
    }
  });

  it('marks the failing stage and the consume span as errors', async () => {
    assert.equal(await pipeline(record(), 'history'), undefined);
    const spans = exporter.getFinishedSpans();
    assert.equal(spans.find((s) => s.name === 'ces.history')!.status.code, 2);
    assert.equal(spans.find((s) => s.name === 'ces.consume')!.status.code, 2);
    assert.equal(spans.find((s) => s.name === 'ces.deliver'), undefined);
  });

  it('injects the publish span into produced headers, continuing an incoming request trace', () => {
    const { span, headers, traceId } = startPublishSpan('push', 'orders', { traceparent: Buffer.from(`00-${TRACE}-${PARENT}-01`) });
    span.end();
    assert.equal(traceId, TRACE);
    assert.match(headers.traceparent ?? '', new RegExp(`^00-${TRACE}-[0-9a-f]{16}-01$`));
    assert.equal(trace.getSpanContext(extractContext(headers))?.spanId, span.spanContext().spanId);
    const fresh = startPublishSpan('client', 'inbound');
    fresh.span.end();
    assert.notEqual(fresh.traceId, TRACE);
    assert.equal(exporter.getFinishedSpans().filter((s) => s.kind === 3).length, 2); // SpanKind.PRODUCER
  });

  it('round-trips context through Kafka header shapes (strings, Buffers, arrays)', () => {
    const headers = injectContext(trace.setSpanContext(extractContext({}), { traceId: TRACE, spanId: PARENT, traceFlags: 1 }));
    for (const carrier of [headers, { traceparent: Buffer.from(headers.traceparent!) }, { TraceParent: [headers.traceparent!] }]) {
      assert.equal(trace.getSpanContext(extractContext(carrier))?.traceId, TRACE);
    }
  });
});
