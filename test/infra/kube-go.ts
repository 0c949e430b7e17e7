/**
 * Shared plumbing for the Go-built test binaries (kube-apiserver, etcd, helm): where the cache is,
 * and running a build step under `flock` with its output in a log file.
 *
 * Cache layout (docs/testing-kube.md): `${CES_CACHE_DIR:-${XDG_CACHE_HOME:-~/.cache}/ces}/<name>-<version>/`
 * holding `bin/` (complete builds only, with a `.complete` marker), `build.log` and a lock file.
 * The Go module and build caches stay at Go's defaults (GOMODCACHE ~/go/pkg/mod, GOCACHE
 * ~/.cache/go-build) so other Go builds on the machine share downloads and compiled packages.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, openSync, closeSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Same rule as scripts/node.sh, so every cached download/build lives under one folder. */
export function cesCacheDir(): string {
  const xdg = process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache');
  return process.env.CES_CACHE_DIR ?? path.join(xdg, 'ces');
}

export interface CachedBuild {
  /** `<cache>/<name>-<version>` */
  dir: string;
  bin: string;
  log: string;
  lock: string;
  marker: string;
}

export function cachedBuild(name: string, version: string): CachedBuild {
  const dir = path.join(cesCacheDir(), `${name}-${version}`);
  mkdirSync(dir, { recursive: true });
  const bin = path.join(dir, 'bin');
  return { dir, bin, log: path.join(dir, 'build.log'), lock: `${dir}.lock`, marker: path.join(bin, '.complete') };
}

/** True when `bin/.complete` holds exactly `stamp` and every named binary exists. */
export function isComplete(build: CachedBuild, stamp: string, binaries: string[]): boolean {
  try {
    if (readFileSync(build.marker, 'utf8') !== stamp) return false;
  } catch {
    return false;
  }
  return binaries.every((b) => existsSync(path.join(build.bin, b)));
}

/** sha256 over strings: the stamp that decides whether a cached build is still the one we want. */
export function stampOf(...parts: string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest('hex').slice(0, 16);
}

/** `go env GOVERSION`, or a clear error when Go is missing. */
export async function goVersion(): Promise<string> {
  try {
    return (await capture('go', ['env', 'GOVERSION'])).trim();
  } catch (err) {
    throw new Error(
      `Go is needed to build the test binaries (kube-apiserver, etcd, helm) and "go" failed: ${(err as Error).message}. ` +
        'Install Go >= 1.26 (https://go.dev/dl) and make sure it is on PATH.',
      { cause: err },
    );
  }
}

async function capture(cmd: string, args: string[]): Promise<string> {
  return await new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let errOut = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (errOut += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} exited ${code}: ${errOut.trim()}`))));
  });
}

/**
 * Runs `flock <lock> <cmd> <args>` with stdout+stderr appended to `log`. The command itself must
 * re-check the marker once it holds the lock, so concurrent callers build once and the others reuse.
 * Rejects with the log's tail on failure.
 */
export async function runLockedBuild(build: CachedBuild, what: string, cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<void> {
  const fd = openSync(build.log, 'a');
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn('flock', [build.lock, cmd, ...args], { stdio: ['ignore', fd, fd], env: { ...process.env, ...env } });
      child.on('error', reject);
      child.on('close', resolve);
    });
    if (code !== 0) {
      throw new Error(`building ${what} failed (exit ${code}); full log: ${build.log}\n${tail(build.log, 25)}`);
    }
  } finally {
    closeSync(fd);
  }
}

/** The last `lines` lines of a log file, for error messages. */
export function tail(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return `(no log at ${file})`;
  }
}
