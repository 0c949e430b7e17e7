import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { diffConfig, planTopics } from './topic-plan.ts';
import type { DesiredTopic, ObservedTopic } from './topic-plan.ts';

const want = (name: string, partitions: number, config: Record<string, string> = {}): DesiredTopic => ({ name, partitions, config });
const have = (partitions: number, config: Record<string, string> = {}): ObservedTopic => ({ partitions, replicationFactor: 1, config });

describe('planTopics', () => {
  const cases: {
    name: string;
    mode: 'create' | 'verify';
    desired: DesiredTopic;
    observed?: ObservedTopic;
    ops: string[];
    state: string;
  }[] = [
    { name: 'creates a missing topic', mode: 'create', desired: want('t', 3), ops: ['create'], state: 'Ready' },
    { name: 'leaves a matching topic alone', mode: 'create', desired: want('t', 3, { 'retention.ms': '1000' }), observed: have(3, { 'retention.ms': '1000' }), ops: [], state: 'Ready' },
    { name: 'expands partitions', mode: 'create', desired: want('t', 6), observed: have(3), ops: ['expand'], state: 'Ready' },
    { name: 'refuses to shrink partitions', mode: 'create', desired: want('t', 2), observed: have(3), ops: [], state: 'ShrinkRefused' },
    { name: 'sets a changed config', mode: 'create', desired: want('t', 3, { 'retention.ms': '2000' }), observed: have(3, { 'retention.ms': '1000' }), ops: ['config'], state: 'Ready' },
    { name: 'removes an override dropped from the spec', mode: 'create', desired: want('t', 3), observed: have(3, { 'retention.ms': '1000' }), ops: ['config'], state: 'Ready' },
    { name: 'expands and configures in one pass', mode: 'create', desired: want('t', 4, { a: '1' }), observed: have(3), ops: ['expand', 'config'], state: 'Ready' },
    { name: 'verify: reports a missing topic without creating it', mode: 'verify', desired: want('t', 3), ops: [], state: 'Missing' },
    { name: 'verify: reports too few partitions without expanding', mode: 'verify', desired: want('t', 6), observed: have(3), ops: [], state: 'Mismatch' },
    { name: 'verify: reports a config difference', mode: 'verify', desired: want('t', 3, { a: '1' }), observed: have(3), ops: [], state: 'Mismatch' },
    { name: 'verify: reports more partitions than requested', mode: 'verify', desired: want('t', 3), observed: have(6), ops: [], state: 'Mismatch' },
    { name: 'verify: accepts a matching topic', mode: 'verify', desired: want('t', 3), observed: have(3), ops: [], state: 'Ready' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const observed = new Map(c.observed ? [['t', c.observed]] : []);
      const plan = planTopics([c.desired], observed, c.mode);
      assert.deepEqual(plan.actions.map((a) => a.op), c.ops);
      assert.equal(plan.topics[0]?.state, c.state);
    });
  }

  it('explains a refused shrink with both partition counts', () => {
    const plan = planTopics([want('orders', 2)], new Map([['orders', have(5)]]), 'create');
    assert.match(plan.topics[0]?.message ?? '', /5 partitions.*asks for 2/);
  });
});

describe('diffConfig', () => {
  it('lists added, changed and removed keys, sorted', () => {
    assert.deepEqual(diffConfig({ b: '2', c: '3' }, { a: '1', b: '1', c: '3' }), ['a', 'b']);
  });
});
