/** The process and lock plumbing, on real processes (`sleep`, `flock`) — no mocks. */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { withLock } from './lock.ts';
import { freePorts, isOwnedAlive, run, spawnDetached, stopOwned, waitUntil } from './procs.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'ces-procs-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('owned processes', () => {
  it('a detached process is alive while running, then gone — with the children it forked — after stopOwned', async () => {
    const marker = `ces-marker-${process.pid}-a`;
    const proc = await spawnDetached('sh', ['-c', `sleep 300 & echo $! > ${dir}/child.pid; wait; : ${marker}`], { logFile: path.join(dir, 'a.log'), marker });
    try {
      assert.equal(isOwnedAlive(proc), true);
      await waitUntil('the child pid', () => readFileSync(path.join(dir, 'child.pid'), 'utf8').trim() !== '', { timeoutMs: 5000 });
      const child = { pid: Number(readFileSync(path.join(dir, 'child.pid'), 'utf8')), marker: 'sleep' };
      assert.equal(isOwnedAlive(child), true);
      await stopOwned(proc);
      assert.equal(isOwnedAlive(proc), false);
      await waitUntil('the forked child to exit', () => !isOwnedAlive(child), { timeoutMs: 5000 });
    } finally {
      if (isOwnedAlive(proc)) process.kill(-proc.pid, 'SIGKILL');
    }
  });

  it('a live pid whose command line lacks the marker is not ours (pid reuse) and is never signalled', async () => {
    const proc = await spawnDetached('sleep', ['300'], { logFile: path.join(dir, 'b.log'), marker: 'x' });
    const foreign = { pid: proc.pid, marker: 'some-other-server.properties' };
    try {
      assert.equal(isOwnedAlive(foreign), false);
      await stopOwned(foreign);
      assert.equal(isOwnedAlive({ pid: proc.pid, marker: 'sleep' }), true);
    } finally {
      process.kill(proc.pid, 'SIGKILL');
    }
  });

  it('escalates to SIGKILL when a process ignores SIGTERM', async () => {
    const marker = `ces-marker-${process.pid}-c`;
    const proc = await spawnDetached('sh', ['-c', `trap '' TERM; while :; do sleep 0.1; done # ${marker}`], {
      logFile: path.join(dir, 'c.log'),
      marker,
    });
    await stopOwned(proc, 300);
    assert.equal(isOwnedAlive(proc), false);
  });

  it('writes the process output to its log file', async () => {
    const logFile = path.join(dir, 'd.log');
    const proc = await spawnDetached('sh', ['-c', 'echo hello-from-child'], { logFile, marker: 'hello' });
    await waitUntil('the child to exit', () => !isOwnedAlive(proc), { timeoutMs: 5000 });
    assert.match(readFileSync(logFile, 'utf8'), /hello-from-child/);
  });

  it('reports a command that cannot start', async () => {
    await assert.rejects(spawnDetached('/nonexistent/binary', [], { logFile: path.join(dir, 'e.log'), marker: 'e' }), /cannot start/);
    await assert.rejects(run('/nonexistent/binary', []), /cannot run/);
  });
});

describe('free ports', () => {
  it('hands out distinct ports that can be bound on 127.0.0.1', async () => {
    const ports = await freePorts(4);
    assert.equal(new Set(ports).size, 4);
    for (const port of ports) {
      const server = net.createServer();
      await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('waitUntil', () => {
  it('times out with the last error of the probe', async () => {
    await assert.rejects(
      waitUntil('never', () => Promise.reject(new Error('still broken')), { timeoutMs: 100, intervalMs: 10 }),
      /timed out after 100 ms waiting for never: still broken/,
    );
  });

  it('stops early when the check throws', async () => {
    await assert.rejects(
      waitUntil('x', () => false, { timeoutMs: 60_000, intervalMs: 10, check: () => { throw new Error('process died'); } }),
      /process died/,
    );
  });
});

describe('withLock', () => {
  it('serializes holders of the same lock file, and releases it when the holder throws', async () => {
    const lock = path.join(dir, 'l.lock');
    const events: string[] = [];
    const holder = (name: string, fail = false) =>
      withLock(lock, async () => {
        events.push(`${name}:in`);
        await new Promise((resolve) => setTimeout(resolve, 50));
        events.push(`${name}:out`);
        if (fail) throw new Error(`${name} failed`);
      });
    const results = await Promise.allSettled([holder('a', true), holder('b'), holder('c')]);
    assert.equal(results[0]?.status, 'rejected');
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 2);
    for (let i = 0; i < events.length; i += 2) {
      assert.equal(events[i]?.replace(':in', ''), events[i + 1]?.replace(':out', ''), `interleaved: ${events.join(' ')}`);
    }
  });

  it('is exclusive against another process (flock from a shell)', async () => {
    const lock = path.join(dir, 'm.lock');
    await withLock(lock, async () => {
      const result = await run('flock', ['--nonblock', lock, 'true']);
      assert.equal(result.code, 1);
    });
    assert.equal((await run('flock', ['--nonblock', lock, 'true'])).code, 0);
  });
});
