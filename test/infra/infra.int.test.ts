/**
 * The up/down/status lifecycle and the CLI, against real redis-server processes in a private
 * infra folder (CES_INFRA_DIR), so the shared servers other tests use are never touched.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { InfraState } from '../support/infra.ts';
import { needs } from '../support/infra.ts';
import { down, status, up } from './infra.ts';
import { run, spawnDetached, stopOwned, type OwnedProcess } from './procs.ts';
import { readRecord } from './records.ts';
import { componentDir } from './paths.ts';
import { redisPing, startRedis } from './redis.ts';

const redis = needs('redis'); // redis-server must be installed; our own copies run in a private folder
const dir = mkdtempSync(path.join(os.tmpdir(), 'ces-infra-'));
const env = { CES_INFRA_DIR: dir, CES_INFRA_STATE: path.join(dir, 'state.json') };
const cli = path.resolve(import.meta.dirname, 'cli.ts');

describe('infra lifecycle (private folder)', { skip: redis.skip }, () => {
  const saved = { dir: process.env.CES_INFRA_DIR, state: process.env.CES_INFRA_STATE };
  before(() => Object.assign(process.env, env));
  after(async () => {
    await down(['redis']).catch(() => undefined);
    process.env.CES_INFRA_DIR = saved.dir;
    process.env.CES_INFRA_STATE = saved.state;
    if (saved.dir === undefined) delete process.env.CES_INFRA_DIR;
    if (saved.state === undefined) delete process.env.CES_INFRA_STATE;
    rmSync(dir, { recursive: true, force: true });
  });

  const stateOnDisk = () => JSON.parse(readFileSync(env.CES_INFRA_STATE, 'utf8')) as InfraState;

  it('up starts a component, writes state.json, and a second up reuses it', async () => {
    const first = await up(['redis']);
    assert.deepEqual(first.outcomes.map((o) => o.outcome), ['started']);
    const port = stateOnDisk().redis!.port;
    assert.equal(await redisPing(port), true);
    assert.match(stateOnDisk().errors.kafka ?? '', /not started/);

    const second = await up(['redis']);
    assert.deepEqual(second.outcomes.map((o) => o.outcome), ['reused']);
    assert.equal(stateOnDisk().redis!.port, port);
  });

  it('a recorded server that died is replaced by a fresh one', async () => {
    const record = readRecord<{ port: number }>('redis')!;
    process.kill(record.procs[0]!.pid, 'SIGKILL');
    const again = await up(['redis']);
    assert.deepEqual(again.outcomes.map((o) => o.outcome), ['started']);
    assert.equal(await redisPing(stateOnDisk().redis!.port), true);
  });

  it('status reports it healthy; down stops it and records why; a second down is a no-op', async () => {
    const line = (await status()).find((s) => s.component === 'redis')!;
    assert.equal(line.healthy, true);
    const port = stateOnDisk().redis!.port;
    assert.deepEqual(await down(['redis']), ['redis']);
    assert.equal(await redisPing(port), false);
    assert.equal(stateOnDisk().redis, undefined);
    assert.match(stateOnDisk().errors.redis ?? '', /stopped/);
    assert.deepEqual(await down(['redis']), []);
  });

  it('servers nobody recorded (their starter died mid-start) are stopped by the next up or down', async () => {
    const strayA = await startRedis({ dir: componentDir('redis') }); // started, never recorded
    const again = await up(['redis']);
    assert.deepEqual(again.outcomes.map((o) => o.outcome), ['started']);
    assert.equal(await redisPing(strayA.state.port), false, 'stray survived up');
    assert.deepEqual(await down(['redis']), ['redis']);

    const strayB = await startRedis({ dir: componentDir('redis') });
    assert.deepEqual(await down(['redis']), ['redis']);
    assert.equal(await redisPing(strayB.state.port), false, 'stray survived down');
  });

  it('down({unlessLeased}) leaves servers running while another test run holds a lease', async () => {
    await up(['redis']);
    const port = stateOnDisk().redis!.port;
    // A stand-in for a concurrent `test/run.ts`: the lease check looks for that in the command line.
    const other: OwnedProcess = await spawnDetached('sh', ['-c', 'sleep 60; : test/run.ts'], { logFile: path.join(dir, 'other.log'), marker: 'test/run.ts' });
    try {
      mkdirSync(path.join(dir, 'leases'), { recursive: true });
      writeFileSync(path.join(dir, 'leases', String(other.pid)), 'test/run.ts');
      assert.deepEqual(await down(['redis'], { unlessLeased: true }), []);
      assert.equal(await redisPing(port), true);
    } finally {
      await stopOwned(other, 1000);
    }
    assert.deepEqual(await down(['redis'], { unlessLeased: true }), ['redis']);
    assert.equal(await redisPing(port), false);
  });
});

describe('infra CLI input', { skip: redis.skip }, () => {
  const node = (...args: string[]) => run(process.execPath, ['--disable-warning=ExperimentalWarning', cli, ...args], { env });

  it('rejects unknown commands with usage and exit code 2', async () => {
    const result = await node('explode');
    assert.equal(result.code, 2);
    assert.match(result.stderr, /usage: npm run infra/);
  });

  it('rejects unknown and hostile component names before starting anything', async () => {
    for (const name of ['mongodb', '../../etc/passwd', '$(reboot)']) {
      const result = await node('up', name);
      assert.equal(result.code, 1, name);
      assert.match(result.stderr, /unknown component/);
    }
    assert.equal(existsSync(path.join(dir, 'redis.json')), false);
  });

  it('env prints only shell-safe exports for what is running', async () => {
    const result = await node('env');
    assert.equal(result.code, 0);
    for (const line of result.stdout.trim().split('\n')) assert.match(line, /^export [A-Z_]+='[^']*'$/);
  });
});
