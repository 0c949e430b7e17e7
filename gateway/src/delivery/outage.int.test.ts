/**
 * Redis outage: a PRIVATE redis-server (AOF on, so a restart keeps history like a persistent
 * production Redis) is killed while records keep arriving. Consumption pauses (not ready,
 * nothing committed past the first failed record), resumes on its own once Redis is back, and the
 * client receives every record exactly once, in order. The shared test Redis is never touched.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { needs } from '../../../test/support/infra.ts';
import { realFixture, type RealFixture } from './real-fixture.ts';

const kafka = needs('kafka');
const redis = needs('redis');

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function startRedis(port: number, dir: string): ChildProcess {
  return spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', ''], { stdio: 'ignore' });
}

describe('Redis outage', { skip: kafka.skip || redis.skip, timeout: 90_000 }, () => {
  let f: RealFixture;
  let proc: ChildProcess | undefined;
  let dir: string;
  let port: number;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'ces-redis-outage-'));
    port = await freePort();
    proc = startRedis(port, dir);
    f = await realFixture(kafka.value!.brokers, `redis://127.0.0.1:${port}`);
  });
  after(async () => {
    await f?.close();
    proc?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('pauses consumption while Redis is down and resumes with nothing lost and nothing doubled', async () => {
    const url = `redis://127.0.0.1:${port}`;
    await f.waitFor('private redis up', async () => {
      try {
        const d = await f.start(url);
        await d.stop();
        return true;
      } catch {
        return false;
      }
    });
    const d = await f.start(url);
    const { conn } = await f.connect(d, await f.session('OUT'));
    await f.produce({ 'ces-session-id': 'OUT' }, JSON.stringify(1), 'OUT');
    await f.waitFor('first record', () => conn.messages().length === 1);

    const killed = new Promise((resolve) => proc!.once('exit', resolve));
    proc!.kill('SIGKILL');
    await killed;
    for (let n = 2; n <= 6; n++) await f.produce({ 'ces-session-id': 'OUT' }, JSON.stringify(n), 'OUT');
    await f.waitFor('consumption paused (not ready)', () => !d.ready());
    assert.deepEqual(conn.messages().map((m) => m.data), [1]);

    proc = startRedis(port, dir);
    await f.waitFor('consumption resumed', () => d.ready());
    await f.waitFor('all records delivered', () => conn.messages().length >= 6);
    assert.deepEqual(conn.messages().map((m) => m.data), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(conn.messages().map((m) => m.seq), [1, 2, 3, 4, 5, 6]);
    assert.equal(new Set(conn.messages().map((m) => m.epoch)).size, 1);
  });
});
