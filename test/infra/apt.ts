/**
 * Debian packages the infrastructure needs (redis-server, prometheus). When a binary is missing and
 * we are root, the package is installed with apt-get — without letting its service start: a
 * system-wide Redis on :6379 or Prometheus on :9090 would be shared state outside our control.
 * When we are not root, the error says exactly which command to run.
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import path from 'node:path';
import { withLock } from './lock.ts';
import { cacheDir } from './paths.ts';
import { onPath, run } from './procs.ts';

const policyRcD = '/usr/sbin/policy-rc.d';

export interface DebPackage {
  /** apt package name. */
  name: string;
  /** Binaries it must provide (looked up on PATH). */
  binaries: string[];
  /** init/systemd service the package starts on install, stopped and disabled afterwards. */
  service?: string;
}

/** Makes sure every binary of `pkg` is on PATH, installing the package when possible. */
export async function ensureDebPackage(pkg: DebPackage): Promise<void> {
  if (await allOnPath(pkg.binaries)) return;
  const manual = `apt-get update && apt-get install -y --no-install-recommends ${pkg.name}`;
  if (process.getuid?.() !== 0) {
    throw new Error(`${pkg.binaries.join(', ')} not found and not running as root; install it with: sudo ${manual}`);
  }
  if (!(await onPath('apt-get'))) throw new Error(`${pkg.binaries.join(', ')} not found and apt-get is unavailable; install ${pkg.name} yourself`);
  await withLock(path.join(cacheDir(), 'apt.lock'), async () => {
    if (await allOnPath(pkg.binaries)) return;
    await installQuietly(pkg);
  });
  if (!(await allOnPath(pkg.binaries))) throw new Error(`installed ${pkg.name} but ${pkg.binaries.join(', ')} still not on PATH`);
}

async function allOnPath(binaries: string[]): Promise<boolean> {
  for (const bin of binaries) if (!(await onPath(bin))) return false;
  return true;
}

async function installQuietly(pkg: DebPackage): Promise<void> {
  const before = new Set(pidsOf(pkg.binaries[0] ?? pkg.name));
  // policy-rc.d exit 101 = "do not start services" for invoke-rc.d; only added when absent, removed after.
  const addedPolicy = !existsSync(policyRcD);
  if (addedPolicy) {
    writeFileSync(policyRcD, '#!/bin/sh\n# temporary, written by CES test/infra/apt.ts\nexit 101\n');
    chmodSync(policyRcD, 0o755);
  }
  try {
    const env = { DEBIAN_FRONTEND: 'noninteractive' };
    const install = ['-o', 'DPkg::Lock::Timeout=600', 'install', '-y', '--no-install-recommends', pkg.name];
    let result = await run('apt-get', install, { env });
    if (result.code !== 0) {
      // Usually stale package lists on a fresh machine.
      await run('apt-get', ['-o', 'DPkg::Lock::Timeout=600', 'update'], { env });
      result = await run('apt-get', install, { env });
    }
    if (result.code !== 0) throw new Error(`apt-get install ${pkg.name} failed (exit ${result.code}):\n${result.stderr.trim().slice(-2000)}`);
  } finally {
    if (addedPolicy) rmSync(policyRcD, { force: true });
  }
  if (pkg.service) await stopService(pkg.service, pkg.binaries[0] ?? pkg.name, before);
}

/** Stops and disables the package's service, then kills any daemon of it that appeared during the install. */
async function stopService(service: string, binary: string, before: Set<number>): Promise<void> {
  if (existsSync('/run/systemd/system')) {
    await run('systemctl', ['disable', '--now', service]);
  } else {
    await run('service', [service, 'stop']);
    await run('update-rc.d', [service, 'disable']);
  }
  for (const pid of pidsOf(binary)) {
    if (before.has(pid)) continue;
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
}

/** Pids whose executable is `<something>/binary`. */
function pidsOf(binary: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv0 = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0')[0] ?? '';
      if (path.basename(argv0.split(' ')[0] ?? '') === binary) pids.push(Number(entry));
    } catch {
      // exited while we looked
    }
  }
  return pids;
}
