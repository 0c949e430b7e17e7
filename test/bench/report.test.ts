import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { markdownReport, markdownTable, targetsTable, textTable, type BenchRun } from './report.ts';
import { renderSvg } from './svg.ts';
import type { ScenarioResult } from './scenario.ts';

function result(system: string, scenario: string, over: Partial<ScenarioResult> = {}): ScenarioResult {
  return {
    system, scenario, title: `${scenario} title`, sessions: 100, connected: 100, connectFailed: 0, offeredRecordsPerSec: 100, offeredPerSec: 100,
    deliveredPerSec: 100, expected: 1000, delivered: 1000, missing: 0, duplicates: 0,
    latencyMs: { count: 1000, p50: 5, p95: 20, p99: 50, max: 80, mean: 7 }, cpuCores: 0.5, rssPeakBytes: 100 * 2 ** 20,
    idleBytesPerConnection: scenario === 'fanout' ? 8192 : null, redisOpsPerSec: 1000, producerErrors: 0, ...over,
  };
}

const results = [
  result('ces', 'fanout', { deliveredPerSec: 2000, latencyMs: { count: 1, p50: 4, p95: 10, p99: 40, max: 60, mean: 5 } }),
  result('socketio', 'fanout', { deliveredPerSec: 1000, idleBytesPerConnection: 16384, latencyMs: { count: 1, p50: 4, p95: 10, p99: 80, max: 90, mean: 5 } }),
  result('centrifugo', 'fanout', { deliveredPerSec: 4000, idleBytesPerConnection: 4096 }),
  result('ces', 'storm', { missing: 3, storm: { reconnectMs: { count: 100, p50: 100, p95: 200, p99: 300, max: 400, mean: 120 }, failed: 0, recovered: 100, allBackMs: 420 } }),
];

describe('bench report', () => {
  it('prints one row per system and scenario with the measured figures', () => {
    const lines = textTable(results).split('\n');
    assert.equal(lines.length, 1 + results.length);
    assert.match(lines[1]!, /^fanout\s+ces\s+100\/100\s+100\s+2000\s+4\.0/);
    assert.match(lines[4]!, /300\s+100\/100$/);
    assert.equal(markdownTable(results).split('\n').length, 2 + results.length);
  });

  it('checks the issue targets and gives ratios to each peer, with the peer winning shown below 1', () => {
    const t = targetsTable(results);
    assert.match(t, /2\.00× socketio, 0\.50× centrifugo/); // idle memory: socketio uses 2× CES, centrifugo half
    assert.match(t, /fan-out p99: 2\.00× socketio, 1\.25× centrifugo/);
    assert.match(t, /3 missed \(not received by the end of the drain\), 0 duplicates over all CES scenarios \| no/);
    assert.match(t, /8\.0 KiB \| yes/);
  });

  it('says "not run" for targets whose scenario has no CES figure', () => {
    const t = targetsTable([result('socketio', 'fanout')]);
    assert.match(t, /fan-out: not run/);
    assert.match(t, /no peer figure/);
  });

  it('writes the machine and the not-run reasons into latest.md', () => {
    const run: BenchRun = {
      startedAt: '2026-11-23T10:00:00.000Z', options: {}, versions: { centrifugo: '5.4.9' }, results,
      machine: { cpuModel: 'AMD EPYC', nproc: 2, memGiB: 24, node: '24.0.0', kernel: 'Linux 6', loadAvg1: 1.25 },
      notRun: [{ system: 'centrifugo', scenario: 'storm', reason: 'exploded' }],
    };
    const md = markdownReport(run);
    assert.match(md, /AMD EPYC, 2 cores \(nproc\), 24 GiB RAM/);
    assert.match(md, /load average 1\.3 at start/);
    assert.match(md, /centrifugo \/ storm: not run — exploded/);
  });

  it('draws one throughput bar and three latency bars per result, and escapes text', () => {
    const svg = renderSvg(results, 'a <b> & c');
    assert.ok(svg.startsWith('<svg') && svg.trimEnd().endsWith('</svg>'));
    assert.equal((svg.match(/<rect /g) ?? []).length, 1 + results.length * 4 + 3); // background, bars, legend
    assert.ok(svg.includes('a &lt;b&gt; &amp; c'));
    assert.ok(!svg.includes('NaN'));
  });

  it('draws an empty but valid plot when nothing ran', () => {
    const svg = renderSvg([], 'nothing');
    assert.ok(svg.startsWith('<svg') && !svg.includes('NaN') && !svg.includes('Infinity'));
  });
});
