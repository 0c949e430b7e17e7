/**
 * Tracing is configured only by the standard OTEL_* variables, and then really exports: the
 * gateway's OpenTelemetry setup sends the spans of a record's trace over OTLP/HTTP to a collector
 * (here a local HTTP receiver on 127.0.0.1), under the configured service name.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTracing, startRecordTrace, startDeliverySpan, tracingEnabled, type TracingHandle } from '@ces/gateway/observability/tracing';

interface OtlpSpan {
  traceId: string;
  name: string;
}
interface OtlpBody {
  resourceSpans: { resource: { attributes: { key: string; value: { stringValue?: string } }[] }; scopeSpans: { spans: OtlpSpan[] }[] }[];
}

describe('OTLP trace export', () => {
  const bodies: OtlpBody[] = [];
  const paths: string[] = [];
  let server: http.Server;
  let tracing: TracingHandle | undefined;

  before(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        paths.push(`${req.method} ${req.url} ${req.headers['content-type']}`);
        bodies.push(JSON.parse(Buffer.concat(chunks).toString()) as OtlpBody);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    process.env.OTEL_EXPORTER_OTLP_PROTOCOL = 'http/json';
    process.env.OTEL_SERVICE_NAME = 'ces-gateway-otlp-test';
    process.env.OTEL_METRICS_EXPORTER = 'none';
    process.env.OTEL_LOGS_EXPORTER = 'none';
  });
  after(async () => {
    await tracing?.shutdown();
    await new Promise((resolve) => server.close(resolve));
  });

  it('exports one trace from the record headers to the socket write over OTLP/HTTP', async () => {
    assert.equal(tracingEnabled(process.env), true);
    tracing = startTracing({ enabled: tracingEnabled(process.env), serviceName: 'ces-gateway-otlp-test' });
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const t = startRecordTrace({ topic: 'orders', partition: 0, offset: '7', headers: { traceparent: `00-${traceId}-b7ad6b7169203331-01` } });
    await t.stage('decode', () => undefined);
    await t.stage('route', () => undefined);
    await t.stage('history', () => undefined);
    t.end('delivered');
    startDeliverySpan(t.traceparent, { channel: 's:x', seq: 1, path: 'live' }).end();
    await tracing.shutdown(); // flushes the batch processor

    const spans = bodies.flatMap((b) => b.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)));
    assert.deepEqual(spans.map((s) => s.name).sort(), ['ces.consume', 'ces.decode', 'ces.deliver', 'ces.history', 'ces.route']);
    assert.deepEqual(new Set(spans.map((s) => s.traceId.toLowerCase())), new Set([traceId]));
    assert.ok(paths.every((p) => p.startsWith('POST /v1/traces')), paths.join(', '));
    const service = bodies[0]!.resourceSpans[0]!.resource.attributes.find((a) => a.key === 'service.name');
    assert.equal(service?.value.stringValue, 'ces-gateway-otlp-test');
  });
});
