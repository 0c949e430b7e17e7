/**
 * Process plumbing for servers that outlive the process that started them: detached spawn with
 * output in a log file, liveness checks that cannot be fooled by pid reuse, graceful stop, free
 * ports and polling.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A process we started. `marker` is a string that occurs in its command line (a path inside our
 * `.ces/infra/<component>` folder), so a recycled pid that now belongs to something else is never
 * mistaken for ours — and never killed.
 */
export interface OwnedProcess {
  pid: number;
  marker: string;
}

export interface SpawnDetachedOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** stdout and stderr are appended here. */
  logFile: string;
  marker: string;
}

/** Starts a server in its own process group, not tied to our lifetime (it keeps running after we exit). */
export async function spawnDetached(cmd: string, args: string[], opts: SpawnDetachedOptions): Promise<OwnedProcess> {
  const fd = openSync(opts.logFile, 'a');
  try {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      detached: true,
      stdio: ['ignore', fd, fd],
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (err) => reject(new Error(`cannot start ${cmd}: ${err.message}`, { cause: err })));
    });
    child.unref();
    if (child.pid === undefined) throw new Error(`cannot start ${cmd}: no pid`);
    return { pid: child.pid, marker: opts.marker };
  } finally {
    closeSync(fd);
  }
}

/** True when the pid is running and is still the process we started (not a zombie, not a reused pid). */
export function isOwnedAlive(proc: OwnedProcess): boolean {
  try {
    const stat = readFileSync(`/proc/${proc.pid}/stat`, 'utf8');
    // Field 3 is the state; it follows the parenthesised command name, which may contain spaces.
    if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return false;
    return readFileSync(`/proc/${proc.pid}/cmdline`, 'utf8').includes(proc.marker);
  } catch {
    return false;
  }
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. Safe on stale records. */
export async function stopOwned(proc: OwnedProcess, graceMs = 15_000): Promise<void> {
  if (!isOwnedAlive(proc)) return;
  signal(proc.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isOwnedAlive(proc)) {
    if (Date.now() > deadline) {
      signal(proc.pid, 'SIGKILL');
      await waitUntil(`pid ${proc.pid} to exit after SIGKILL`, () => !isOwnedAlive(proc), { timeoutMs: 5_000 });
      return;
    }
    await sleep(50);
  }
}

/** Signals the whole process group when the pid leads one (spawnDetached does setsid), so helpers it forked go too. */
function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(leadsGroup(pid) ? -pid : pid, sig);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

function leadsGroup(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name: state, ppid, pgrp.
    const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
    return pgrp === pid;
  } catch {
    return false;
  }
}

/**
 * Processes running one of `executables` (the basename of their argv[0]; not /proc/<pid>/exe, which
 * names symlink targets such as redis-check-rdb) whose command line contains `marker`: how servers we
 * started but never recorded (the starter was killed mid-start) are found. Matching the program
 * too means a `tail -f <marker>/server.log` in a terminal is never hit.
 */
export function findByMarker(marker: string, executables: readonly string[]): OwnedProcess[] {
  const found: OwnedProcess[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      // Redis rewrites its title into argv[0] ("redis-server 127.0.0.1:6379 ..."): first word only.
      const program = path.basename(cmdline.split('\0')[0]?.split(' ')[0] ?? '');
      if (executables.includes(program) && cmdline.includes(marker)) found.push({ pid: Number(entry), marker });
    } catch {
      // exited while we looked, or not ours to inspect
    }
  }
  return found;
}

/** A TCP port on 127.0.0.1 that was free a moment ago (the caller retries if it loses a race). */
export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** `count` distinct free ports. */
export async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** Called between attempts; throwing aborts the wait (e.g. "the process died, see its log"). */
  check?: () => void;
}

/** Polls `probe` until it returns true (exceptions count as false); rejects with the last error after the timeout. */
export async function waitUntil(what: string, probe: () => boolean | Promise<boolean>, opts: WaitOptions): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      if (await probe()) return;
    } catch (err) {
      last = err;
    }
    opts.check?.();
    if (Date.now() > deadline) {
      const why = last instanceof Error ? `: ${last.message}` : '';
      throw new Error(`timed out after ${opts.timeoutMs} ms waiting for ${what}${why}`);
    }
    await sleep(opts.intervalMs ?? 200);
  }
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion and captures its output (never throws on a non-zero exit). */
export async function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<RunResult> {
  return await new Promise((resolve, reject) => {
    const stdin = opts.input === undefined ? 'ignore' : 'pipe';
    const child = spawn(cmd, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: [stdin, 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', (err) => reject(new Error(`cannot run ${cmd}: ${err.message}`, { cause: err })));
    child.once('close', (code) => resolve({ code, stdout, stderr }));
    if (child.stdin) {
      child.stdin.on('error', () => undefined); // a child that exits without reading its input is not our error
      child.stdin.end(opts.input);
    }
  });
}

/** `run`, but a non-zero exit rejects with the command's stderr. */
export async function runOk(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  const result = await run(cmd, args, opts);
  if (result.code !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} exited ${result.code}: ${(result.stderr || result.stdout).trim().slice(-2000)}`);
  }
  return result.stdout;
}

/** The last `lines` lines of a log file, for error messages. */
export function tailOf(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return `(no log at ${file})`;
  }
}

/** True when `which`-style lookup finds the command on PATH. */
export async function onPath(cmd: string): Promise<boolean> {
  return (await run('/bin/sh', ['-c', `command -v ${cmd}`])).code === 0;
}
