/**
 * Detached server processes for the test control plane: free ports, spawn with a log file, wait
 * until healthy (failing fast when the process dies), and stop with SIGTERM then SIGKILL.
 * Processes are detached and unref'd so `npm run infra -- up` can exit and leave them running;
 * their pids are recorded by the caller so `down` can stop them later.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { tail } from './kube-go.ts';

/** A port the kernel just handed out on 127.0.0.1; another process may still race us for it. */
export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface ServerProcess {
  name: string;
  pid: number;
  log: string;
  /** Resolves when the process has exited (never rejects). */
  exited: Promise<void>;
  /** True once it exited. */
  hasExited(): boolean;
}

export function startServer(name: string, bin: string, args: string[], log: string): ServerProcess {
  const fd = openSync(log, 'a');
  let child: ChildProcess;
  try {
    child = spawn(bin, args, { detached: true, stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
  if (child.pid === undefined) throw new Error(`could not start ${name} (${bin}); see ${log}`);
  let done = false;
  const exited = new Promise<void>((resolve) => {
    child.on('exit', () => ((done = true), resolve()));
    child.on('error', () => ((done = true), resolve()));
  });
  child.unref();
  return { name, pid: child.pid, log, exited, hasExited: () => done };
}

/** Polls `check` until it returns true; throws with the server's log tail when it dies or time runs out. */
export async function waitHealthy(server: ServerProcess, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.hasExited()) throw new Error(`${server.name} exited during startup; ${server.log}:\n${tail(server.log, 30)}`);
    if (await check().catch(() => false)) return;
    await sleep(100);
  }
  throw new Error(`${server.name} not healthy after ${timeoutMs} ms; ${server.log}:\n${tail(server.log, 30)}`);
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. Idempotent. */
export async function stopServer(server: ServerProcess, graceMs = 10_000): Promise<void> {
  if (server.hasExited()) return;
  signal(server.pid, 'SIGTERM');
  const timer = new AbortController();
  const killed = sleep(graceMs, undefined, { signal: timer.signal }).then(
    () => signal(server.pid, 'SIGKILL'),
    () => undefined,
  );
  await server.exited;
  timer.abort();
  await killed;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/** GET over http(s) that resolves with status and body; `ca` pins the server certificate. */
export async function httpGet(url: string, opts: { ca?: string; token?: string } = {}): Promise<{ status: number; body: string }> {
  const ca = opts.ca ? readFileSync(opts.ca) : undefined;
  const headers = opts.token ? { authorization: `Bearer ${opts.token}` } : undefined;
  const get = url.startsWith('https:') ? https.get : http.get;
  return await new Promise((resolve, reject) => {
    const req = get(url, { ca, headers, timeout: 2_000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
  });
}
