/**
 * Keeps the benchmark harness working inside `npm test`: a few seconds of the fan-out and
 * broadcast scenarios against CES and the Socket.IO peer, with few sessions, through the very
 * code `npm run bench` runs (private Redis, real gateway processes, forked producer and client
 * workers). It asserts correctness — every session connected, every record delivered exactly
 * once — never speed.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { needs } from '../support/infra.ts';
import { parseOptions, type BenchOptions } from './options.ts';
import { runBench } from './bench.ts';

const kafka = needs('kafka');
const redis = needs('redis'); // the bench starts its own Redis with the same redis-server binary

describe('benchmark smoke', { skip: kafka.skip || redis.skip, timeout: 180_000 }, () => {
  it('delivers every record exactly once to every session of CES and the Socket.IO peer', async () => {
    const options = parseOptions(
      ['--systems', 'ces,socketio', '--scenarios', 'fanout,broadcast', '--sessions', '20', '--rate', '5', '--broadcast-sessions', '20', '--rooms', '4',
        '--room-rate', '5', '--duration', '2', '--warmup', '0.5', '--workers', '1', '--partitions', '2', '--out', ''],
      '',
    ) as BenchOptions;
    const lines: string[] = [];
    const run = await runBench(options, kafka.value!.brokers, (line) => lines.push(line));
    assert.deepEqual(run.notRun, [], lines.join('\n'));
    assert.equal(run.results.length, 4);
    for (const r of run.results) {
      const label = `${r.system}/${r.scenario}: ${JSON.stringify({ connected: r.connected, expected: r.expected, delivered: r.delivered, missing: r.missing, duplicates: r.duplicates })}`;
      assert.equal(r.connected, r.sessions, label);
      assert.ok(r.expected >= r.sessions * 5, label); // at least ~1 s worth of records reached every session
      assert.equal(r.missing, 0, label);
      assert.equal(r.duplicates, 0, label);
      assert.equal(r.delivered, r.expected, label);
      assert.ok(r.latencyMs.count > 0, label);
    }
  });
});
