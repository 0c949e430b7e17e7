import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseOptions, planScenarios, type BenchOptions } from './options.ts';
import { readPayload } from './payload.ts';

const parse = (...argv: string[]): BenchOptions => parseOptions(argv, 'out') as BenchOptions;

describe('bench options', () => {
  it('plans all four scenarios for all three systems by default', () => {
    const o = parse();
    assert.deepEqual(o.systems, ['ces', 'socketio', 'centrifugo']);
    assert.deepEqual(planScenarios(o).map((p) => p.name), ['fanout', 'throughput', 'broadcast', 'storm']);
    assert.equal(o.out, 'out');
  });

  it('sizes each scenario from its flags', () => {
    const plans = planScenarios(parse('--scenarios', 'fanout,broadcast,storm', '--sessions', '300', '--rate', '2', '--broadcast-sessions', '50', '--rooms', '5', '--room-rate', '4', '--duration', '9'));
    const [fan, room, storm] = plans;
    assert.deepEqual([fan!.sessions, fan!.targets, fan!.rate, fan!.kind], [300, 300, 600, 'session']);
    assert.deepEqual([room!.sessions, room!.targets, room!.rate, room!.kind], [50, 5, 20, 'group']);
    assert.equal(storm!.stormAtMs, 3000);
    assert.ok(fan!.idleMemory && !room!.idleMemory);
  });

  it('refuses unknown systems, scenarios and flags, and non-positive numbers', () => {
    assert.throws(() => parse('--systems', 'ces,kafka-rest'), /unknown "kafka-rest"/);
    assert.throws(() => parse('--scenarios', ''), /empty/);
    assert.throws(() => parse('--sessions=-5'), /positive/);
    assert.throws(() => parse('--duration', '0'), /positive/);
    assert.throws(() => parse('--rate', 'fast'), /positive/);
    assert.throws(() => parse('--bogus'), /Unknown option/);
  });

  it('answers --help with the usage text', () => {
    const r = parseOptions(['--help'], 'out');
    assert.ok('help' in r && r.help.includes('--systems'));
  });
});

describe('bench payload', () => {
  it('accepts the payload as JSON text or as a decoded object', () => {
    const p = { b: 'k', n: 3, t: 1.5, p: 'xx' };
    assert.deepEqual(readPayload(JSON.stringify(p)), p);
    assert.deepEqual(readPayload(p), p);
  });

  it('ignores anything that is not a bench payload instead of crashing the worker', () => {
    for (const bad of ['{', 'null', 42, null, { b: 'k', n: 0, t: 1 }, { b: 'k', n: 1.5, t: 1 }, { b: 1, n: 1, t: 1 }, { b: 'k', n: 1, t: 'now' }, 'x'.repeat(10_000)]) {
      assert.equal(readPayload(bad), null, JSON.stringify(bad)?.slice(0, 40));
    }
  });
});
