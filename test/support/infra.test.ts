/** needs(): what a test sees for available, failed, missing and dead components, locally and under CI. */
import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { InfraState } from './infra.ts';
import { needs, uniqueName } from './infra.ts';

describe('needs()', () => {
  let dir: string;
  let n = 0;
  const saved = { state: process.env.CES_INFRA_STATE, ci: process.env.CI };
  const useState = (state: InfraState) => {
    const file = path.join(dir, `state-${n++}.json`);
    writeFileSync(file, JSON.stringify(state));
    process.env.CES_INFRA_STATE = file;
  };
  // A pid that surely belongs to no process: one that just exited.
  const deadPid = () => spawnSync('true').pid as number;

  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'ces-needs-'));
  });
  afterEach(() => {
    if (saved.ci === undefined) delete process.env.CI;
    else process.env.CI = saved.ci;
  });
  after(() => {
    if (saved.state === undefined) delete process.env.CES_INFRA_STATE;
    else process.env.CES_INFRA_STATE = saved.state;
    rmSync(dir, { recursive: true, force: true });
  });

  it('returns the component when it is up (its process alive)', () => {
    delete process.env.CI;
    useState({ redis: { url: 'redis://127.0.0.1:1', host: '127.0.0.1', port: 1 }, errors: {}, processes: { redis: [{ pid: process.pid, marker: '' }] } });
    assert.deepEqual(needs('redis'), { skip: false, value: { url: 'redis://127.0.0.1:1', host: '127.0.0.1', port: 1 } });
  });

  it('locally skips with the recorded reason when a component failed', () => {
    delete process.env.CI;
    useState({ errors: { kafka: 'mvn could not fetch the jars' } });
    const result = needs('kafka');
    assert.equal(result.value, undefined);
    assert.match(result.skip as string, /"kafka" unavailable: mvn could not fetch the jars/);
  });

  it('skips a component whose server died after the state was written, saying how to fix it', () => {
    delete process.env.CI;
    useState({ kafka: { brokers: ['127.0.0.1:1'] }, errors: {}, processes: { kafka: [{ pid: deadPid(), marker: 'server.properties' }] } });
    assert.match(needs('kafka').skip as string, /no longer running; run: npm run infra -- up kafka/);
  });

  it('under CI=true an unavailable component throws instead of skipping', () => {
    process.env.CI = 'true';
    useState({ errors: { kube: 'Go is missing' } });
    assert.throws(() => needs('kube'), /"kube" unavailable: Go is missing/);
  });

  it('without any state file it says how to create one', () => {
    delete process.env.CI;
    process.env.CES_INFRA_STATE = path.join(dir, 'missing.json');
    assert.match(needs('redisCluster').skip as string, /no infra state at .*missing\.json: run "npm test"/);
  });
});

describe('uniqueName()', () => {
  it('keeps the prefix, and never repeats', () => {
    const names = new Set(Array.from({ length: 1000 }, () => uniqueName('topic')));
    assert.equal(names.size, 1000);
    for (const name of names) assert.match(name, /^topic-[0-9a-z]+-[0-9a-f]{8}$/);
  });
});
