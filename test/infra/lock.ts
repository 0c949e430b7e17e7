/**
 * Cross-process exclusive locks built on flock(1), so a Node process, a shell script and a parallel
 * test run all serialize on the same file. The lock is held by a tiny `flock … cat` child reading
 * our stdin: releasing closes stdin, and if we die the pipe closes and the kernel drops the lock —
 * a crashed holder can never leave a stale lock behind.
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

/** Runs `fn` while holding the exclusive lock on `lockFile`. */
export async function withLock<T>(lockFile: string, fn: () => Promise<T>): Promise<T> {
  const release = await acquire(lockFile);
  try {
    return await fn();
  } finally {
    await release();
  }
}

async function acquire(lockFile: string): Promise<() => Promise<void>> {
  mkdirSync(path.dirname(lockFile), { recursive: true });
  const child = spawn('flock', ['--exclusive', lockFile, 'sh', '-c', 'echo locked; exec cat >/dev/null'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.once('error', (err) => reject(new Error(`flock is needed (util-linux): ${err.message}`, { cause: err })));
    child.once('close', (code) => reject(new Error(`flock ${lockFile} exited ${code} before locking`)));
    child.stdout.once('data', () => resolve());
  });
  return async () => {
    child.stdin.end();
    await exited;
  };
}
