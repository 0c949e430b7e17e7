/**
 * OpenTelemetry tracing for the data path. Off unless configured by the standard `OTEL_*`
 * variables; when off, `@opentelemetry/api` hands out no-op spans, so the helpers below cost
 * almost nothing and callers never branch on "tracing enabled".
 *
 * The trace of a record: `ces.consume` (CONSUMER, child of the record's W3C `traceparent` header
 * when present, else a new root) → `ces.decode` → `ces.route` → `ces.history` (children). The
 * consume span's `traceparent` is stored with the message, so `ces.deliver` — on whichever
 * gateway holds the socket, possibly later via replay — continues the same trace, and the frame's
 * `traceId` is that trace's id. Push and client publish start (or continue) a PRODUCER span and
 * inject its context into the produced record's headers.
 *
 * Context is passed explicitly (no async context manager needed), so spans nest correctly across
 * awaits and processes.
 */
import { randomBytes } from 'node:crypto';
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context as otelContext,
  trace,
  type Context,
  type Span,
  type TextMapGetter,
  type TextMapSetter,
  type Tracer,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';

export const TRACER_NAME = '@ces/gateway';
export const TRACEPARENT = 'traceparent';
export const TRACESTATE = 'tracestate';

/** Stage spans below `ces.consume`, in data-path order. */
export type Stage = 'decode' | 'route' | 'history';

/** Kafka-style headers: values may be strings, Buffers, arrays of them, or absent. */
export type Headers = Record<string, string | Buffer | (string | Buffer)[] | undefined>;

const propagator = new W3CTraceContextPropagator();
const TRACE_ID = /^(?!0{32})[0-9a-f]{32}$/;

const getter: TextMapGetter<Headers> = {
  keys: (carrier) => Object.keys(carrier),
  get(carrier, key) {
    const raw = carrier[key] ?? carrier[Object.keys(carrier).find((k) => k.toLowerCase() === key) ?? ''];
    const first = Array.isArray(raw) ? raw[0] : raw;
    return first === undefined ? undefined : first.toString();
  },
};
const setter: TextMapSetter<Record<string, string>> = {
  set(carrier, key, value) {
    carrier[key] = value;
  },
};

/**
 * Whether tracing is configured, from the standard variables: an OTLP endpoint or a traces
 * exporter other than `none`, and the SDK not disabled. Pass `process.env` from config code.
 */
export function tracingEnabled(env: Readonly<Record<string, string | undefined>>): boolean {
  if (env.OTEL_SDK_DISABLED?.toLowerCase() === 'true') return false;
  const exporter = env.OTEL_TRACES_EXPORTER?.trim().toLowerCase();
  if (exporter === 'none') return false;
  return Boolean(exporter || env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

export interface TracingHandle {
  readonly enabled: boolean;
  /** Flushes pending spans and stops the SDK. Idempotent. */
  shutdown(): Promise<void>;
}

/**
 * Starts the OpenTelemetry Node SDK with the OTLP/HTTP trace exporter (endpoint, headers and
 * sampler from `OTEL_*`, read by the SDK itself) when `enabled`; otherwise does nothing.
 * No auto-instrumentation: the data path creates its own spans.
 */
export function startTracing(opts: { enabled: boolean; serviceName?: string }): TracingHandle {
  if (!opts.enabled) return { enabled: false, shutdown: async () => undefined };
  const sdk = new NodeSDK({
    serviceName: opts.serviceName ?? 'ces-gateway',
    traceExporter: new OTLPTraceExporter(),
    instrumentations: [],
  });
  sdk.start();
  let done: Promise<void> | undefined;
  return { enabled: true, shutdown: () => (done ??= sdk.shutdown()) };
}

function tracer(): Tracer {
  return trace.getTracer(TRACER_NAME);
}

/** The remote context carried by `headers` (`traceparent`/`tracestate`), or the root context. */
export function extractContext(headers: Headers): Context {
  return propagator.extract(ROOT_CONTEXT, headers, getter);
}

/** Writes `ctx`'s `traceparent` (and `tracestate`) into `headers`; returns them. */
export function injectContext(ctx: Context, headers: Record<string, string> = {}): Record<string, string> {
  propagator.inject(ctx, headers, setter);
  return headers;
}

/** `traceparent` of a span (for storing with a message), or undefined for a no-op span. */
export function traceparentOf(span: Span): string | undefined {
  return injectContext(trace.setSpan(ROOT_CONTEXT, span))[TRACEPARENT];
}

function validTraceId(span: Span): string | undefined {
  const sc = span.spanContext();
  return trace.isSpanContextValid(sc) ? sc.traceId : undefined;
}

function ended<T>(span: Span, run: () => T | Promise<T>): Promise<T> {
  return Promise.resolve()
    .then(run)
    .then(
      (value) => {
        span.end();
        return value;
      },
      (err: unknown) => {
        failSpan(span, err);
        span.end();
        throw err;
      },
    );
}

function failSpan(span: Span, err: unknown): void {
  span.recordException(err instanceof Error ? err : String(err));
  span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
}

/** The trace of one consumed record; end it once the record is resolved (history or DLQ). */
export interface RecordTrace {
  /** Context of the `ces.consume` span: parent for stage spans. */
  readonly context: Context;
  /** Trace id (32 hex) for the message frame; undefined when tracing is off and the record carried no trace context. */
  readonly traceId: string | undefined;
  /** `traceparent` of the consume span, to store with the message for `startDeliverySpan`. */
  readonly traceparent: string | undefined;
  /** Runs `fn` inside a child span `ces.<stage>`; a throw marks the span failed and is rethrown. */
  stage<T>(stage: Stage, fn: () => T | Promise<T>, attributes?: Record<string, string | number>): Promise<T>;
  /** Ends the consume span; `outcome` is e.g. `delivered`, `dlq:decode`. */
  end(outcome: string, error?: unknown): void;
}

export interface RecordRef {
  topic: string;
  partition: number;
  offset: string;
  headers: Headers;
}

/** Starts `ces.consume` for a Kafka record, continuing the trace in its headers when present. */
export function startRecordTrace(record: RecordRef): RecordTrace {
  const parent = extractContext(record.headers);
  const span = tracer().startSpan(
    'ces.consume',
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'process',
        'messaging.destination.name': record.topic,
        'messaging.destination.partition.id': String(record.partition),
        'messaging.kafka.offset': Number(record.offset),
      },
    },
    parent,
  );
  const ctx = trace.setSpan(parent, span);
  // With tracing off the no-op span carries the parent's context (or an invalid one): the record's
  // own trace id still reaches the frame, and nothing is invented.
  return {
    context: ctx,
    traceId: validTraceId(span),
    traceparent: traceparentOf(span),
    stage: (stage, fn, attributes) => ended(tracer().startSpan(`ces.${stage}`, { attributes }, ctx), fn),
    end(outcome, error) {
      span.setAttribute('ces.outcome', outcome);
      if (error !== undefined) failSpan(span, error);
      span.end();
    },
  };
}

/**
 * Starts `ces.deliver` for writing a stored message to one socket, continuing the record's trace.
 * `parent` is the consume span's `traceparent` (exact parentage) or just the 32-hex trace id the
 * message stored (same trace; the parent span id is then synthetic). End it right after the write.
 */
export function startDeliverySpan(
  parent: string | undefined,
  attributes: { channel: string; seq: number; path: 'live' | 'replay' },
): Span {
  const traceparent = parent !== undefined && TRACE_ID.test(parent) ? `00-${parent}-${randomBytes(8).toString('hex')}-01` : parent;
  const ctx = traceparent === undefined ? ROOT_CONTEXT : extractContext({ [TRACEPARENT]: traceparent });
  return tracer().startSpan(
    'ces.deliver',
    // The channel kind (s/c/r/*) only: channel names carry session and customer ids.
    { kind: SpanKind.INTERNAL, attributes: { 'ces.channel_kind': attributes.channel.slice(0, 1), 'ces.seq': attributes.seq, 'ces.path': attributes.path } },
    ctx,
  );
}

/**
 * Starts a PRODUCER span for a record the gateway produces (`push`, client `publish`), continuing
 * `incoming` (e.g. the HTTP request's `traceparent`) when given, and returns the headers to add
 * to the record. End the span when the produce is acknowledged.
 */
export function startPublishSpan(
  source: 'push' | 'client',
  topic: string,
  incoming: Headers = {},
): { span: Span; headers: Record<string, string>; traceId: string | undefined } {
  const parent = extractContext(incoming);
  const span = tracer().startSpan(
    `ces.publish.${source}`,
    { kind: SpanKind.PRODUCER, attributes: { 'messaging.system': 'kafka', 'messaging.operation.type': 'send', 'messaging.destination.name': topic } },
    parent,
  );
  const ctx = trace.setSpan(parent, span);
  return { span, headers: injectContext(ctx), traceId: validTraceId(span) };
}

/** Runs `fn` with `ctx` active, for libraries that read the active context. */
export function withContext<T>(ctx: Context, fn: () => T): T {
  return otelContext.with(ctx, fn);
}
