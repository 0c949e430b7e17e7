import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { AllMetricNames, BreakerStates, GatewayMetrics as Spec, closeCodeLabel } from '@ces/contracts/metrics';
import { createMetrics, metricValue } from './metrics.ts';

describe('gateway metrics', () => {
  it('registers every gateway metric the contract names, with the contract labels', async () => {
    const m = createMetrics(new Registry(), { defaultMetrics: false });
    const exported = (await m.registry.getMetricsAsJSON()).map((x) => x.name).sort();
    assert.deepEqual(exported, Object.values(Spec).map((s) => s.name).sort());
  });

  it('serves counters, gauges and histograms in the Prometheus text format with the stream label', async () => {
    const m = createMetrics(new Registry(), { stream: 'orders', defaultMetrics: false });
    m.registrationsTotal.inc({ outcome: 'ok' });
    m.registrationsTotal.inc({ outcome: 'ok' });
    m.breakerState.set({ dependency: 'redis' }, BreakerStates.open);
    m.deliveryLatencySeconds.observe({ path: 'live' }, 0.042);
    m.disconnectsTotal.inc({ code: closeCodeLabel(4001) });
    const text = await m.registry.metrics();
    assert.match(text, /^ces_gateway_registrations_total\{outcome="ok",stream="orders"\} 2$/m);
    assert.match(text, /^ces_gateway_breaker_state\{dependency="redis",stream="orders"\} 1$/m);
    assert.match(text, /^ces_gateway_delivery_latency_seconds_bucket\{le="0.05",stream="orders",path="live"\} 1$/m);
    assert.match(text, /^ces_gateway_disconnects_total\{code="4001",stream="orders"\} 1$/m);
    assert.equal(await metricValue(m.registry, 'ces_gateway_delivery_latency_seconds_count', { path: 'live' }), 1);
    assert.equal(await metricValue(m.registry, 'ces_gateway_registrations_total', { outcome: 'ok' }), 2);
    assert.equal(await metricValue(m.registry, 'ces_gateway_registrations_total', { outcome: 'error' }), 0);
    assert.equal(await metricValue(m.registry, 'ces_gateway_upgrades_total', { outcome: 'nope' }), undefined);
  });

  it('adds Node default process metrics unless turned off', async () => {
    const m = createMetrics();
    const names = (await m.registry.getMetricsAsJSON()).map((x) => x.name);
    assert.ok(names.includes('process_cpu_seconds_total'));
    assert.ok(names.includes('nodejs_eventloop_lag_seconds'));
  });

  it('drops a consumer lag series when its partition is removed', async () => {
    const m = createMetrics(new Registry(), { defaultMetrics: false });
    m.consumerLagRecords.set({ topic: 't', partition: 3 }, 120);
    assert.equal(await metricValue(m.registry, 'ces_gateway_consumer_lag_records', { partition: 3 }), 120);
    m.consumerLagRecords.remove({ topic: 't', partition: 3 });
    assert.equal(await metricValue(m.registry, 'ces_gateway_consumer_lag_records', { partition: 3 }), undefined);
  });

  it('collapses close codes outside the known ranges into one label value', () => {
    assert.equal(closeCodeLabel(1006), '1006');
    assert.equal(closeCodeLabel(4503), '4503');
    assert.equal(closeCodeLabel(3008), 'other');
    assert.equal(closeCodeLabel(65535), 'other');
  });

  it('keeps metric names unique, prefixed and suffixed by type', () => {
    assert.equal(new Set(AllMetricNames).size, AllMetricNames.length);
    for (const name of AllMetricNames) assert.match(name, /^ces_(gateway|operator)_[a-z_]+$/);
    for (const s of Object.values(Spec)) if (s.type === 'counter') assert.match(s.name, /_total$/);
  });

  it('refuses to read a metric that is not registered', async () => {
    const m = createMetrics(new Registry(), { defaultMetrics: false });
    await assert.rejects(metricValue(m.registry, 'ces_gateway_nope'), /not registered/);
  });
});
