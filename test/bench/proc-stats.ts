/**
 * CPU and memory of the server processes under test, read from /proc (Linux only): CPU as
 * utime+stime ticks between two snapshots, RSS from /proc/<pid>/status. Sums over every process of
 * one system (N gateways, or N socket.io nodes, or N Centrifugo nodes).
 */
import { readFileSync } from 'node:fs';

/** USER_HZ: 100 on every Linux build Node supports (sysconf(_SC_CLK_TCK)). */
const TICKS_PER_SECOND = 100;

export interface ProcSnapshot {
  at: number;
  /** utime + stime in ticks, summed over the pids. */
  ticks: number;
  /** Resident set in bytes, summed over the pids. */
  rssBytes: number;
}

function ticksOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces: fields after it start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function rssOf(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

/** A snapshot of the live pids; a pid that has exited contributes nothing. */
export function snapshot(pids: number[]): ProcSnapshot {
  let ticks = 0;
  let rssBytes = 0;
  for (const pid of pids) {
    try {
      ticks += ticksOf(pid);
      rssBytes += rssOf(pid);
    } catch {
      // exited between listing and reading
    }
  }
  return { at: Date.now(), ticks, rssBytes };
}

/** Average CPU between two snapshots, in cores (1.0 = one core fully busy). */
export function cpuCores(from: ProcSnapshot, to: ProcSnapshot): number {
  const seconds = (to.at - from.at) / 1000;
  return seconds > 0 ? (to.ticks - from.ticks) / TICKS_PER_SECOND / seconds : 0;
}

/** Samples RSS periodically to report the peak; `stop()` returns it. */
export function rssPeakSampler(pids: number[], intervalMs = 500): { stop(): number } {
  let peak = snapshot(pids).rssBytes;
  const timer = setInterval(() => {
    peak = Math.max(peak, snapshot(pids).rssBytes);
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, snapshot(pids).rssBytes);
    },
  };
}
