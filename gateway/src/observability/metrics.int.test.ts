/**
 * The gateway's exposition passes Prometheus' own linter (`promtool check metrics`): names, units,
 * `_total` only on counters, HELP and TYPE on every family. The only findings allowed are in
 * prom-client's default Node metrics, which keep their upstream names for stock dashboards.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { Registry } from 'prom-client';
import { needs } from '../../../test/support/infra.ts';
import { createMetrics } from './metrics.ts';

const prometheus = needs('prometheus');

function checkMetrics(promtool: string, text: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(promtool, ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, out }));
    child.stdin.end(text);
  });
}

describe('gateway metrics under promtool check metrics', { skip: prometheus.skip }, () => {
  it('has no lint findings in the ces_gateway_ metrics, with every series populated', async () => {
    const m = createMetrics(new Registry(), { stream: 'orders' });
    m.deliveryLatencySeconds.observe({ path: 'live' }, 0.02);
    m.httpRequestDurationSeconds.observe({ route: '/api/register', method: 'POST', status: 200 }, 0.003);
    m.redisCommandDurationSeconds.observe({ command: 'evalsha' }, 0.0004);
    m.consumerLagRecords.set({ topic: 'orders', partition: 0 }, 3);
    m.breakerState.set({ dependency: 'redis' }, 0);
    m.disconnectsTotal.inc({ code: '1000' });
    m.recordsConsumedTotal.inc({ topic: 'orders' });
    const { out } = await checkMetrics(prometheus.value!.promtool, await m.registry.metrics());
    const findings = out.split('\n').filter((line) => line.trim() !== '');
    assert.deepEqual(findings.filter((line) => !line.startsWith('nodejs_')), []);
  });

  it('reports a badly named metric (the check can fail)', async () => {
    const { code, out } = await checkMetrics(prometheus.value!.promtool, '# HELP ces_bad_total x\n# TYPE ces_bad_total gauge\nces_bad_total 1\n');
    assert.notEqual(code, 0);
    assert.match(out, /ces_bad_total/);
  });
});
