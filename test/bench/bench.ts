/**
 * The benchmark run: for each system, a private Redis (so its INFO counters and memory are that
 * system's alone), a fresh topic on the project's Kafka, the system's servers, then every planned
 * scenario in order; everything it started is stopped and deleted afterwards, also on failure.
 * A system that cannot start is recorded as "not run" with the reason, and the others still run.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { startRedis } from '../infra/redis.ts';
import { stopOwned } from '../infra/procs.ts';
import { createTopicsAndWait } from '../support/kafka.ts';
import { repoRoot, uniqueName } from '../support/infra.ts';
import { planScenarios, type BenchOptions } from './options.ts';
import { runScenario, type ScenarioResult } from './scenario.ts';
import type { BenchRun, MachineInfo } from './report.ts';
import type { SystemName } from './payload.ts';
import type { StartSystem } from './systems/types.ts';
import { startCes } from './systems/ces.ts';
import { startSocketIo } from './systems/socketio.ts';
import { startCentrifugoSystem } from './systems/centrifugo.ts';
import { CENTRIFUGO_VERSION } from './peers/centrifugo.ts';

const STARTERS: Record<SystemName, StartSystem> = { ces: startCes, socketio: startSocketIo, centrifugo: startCentrifugoSystem };

export function machineInfo(): MachineInfo {
  const model = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model ?? 'unknown';
  return { cpuModel: model.trim(), nproc: cpus().length, memGiB: Math.round(totalmem() / 2 ** 30), node: process.versions.node, kernel: `Linux ${release()}`, loadAvg1: loadavg()[0] ?? 0 };
}

function versionOf(pkg: string): string {
  try {
    return (JSON.parse(readFileSync(path.join(repoRoot, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}

async function withTopic<T>(brokers: string[], topic: string, partitions: number, fn: () => Promise<T>): Promise<T> {
  const admin = new Kafka({ clientId: 'ces-bench-admin', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  const topics = [topic, `${topic}-dlq`, `${topic}-inbound`];
  try {
    await createTopicsAndWait(admin, topics.map((t, i) => ({ topic: t, numPartitions: i === 0 ? partitions : 1, replicationFactor: 1 })));
    return await fn();
  } finally {
    await admin.deleteTopics({ topics }).catch(() => {});
    await admin.disconnect();
  }
}

async function runSystem(name: SystemName, o: BenchOptions, brokers: string[], runDir: string, run: BenchRun, log: (l: string) => void): Promise<void> {
  const prefix = uniqueName(`bench-${name}`);
  const redis = await startRedis({ dir: path.join(runDir, `redis-${name}`) });
  try {
    return await withTopic(brokers, prefix, o.partitions, async () => {
      const system = await STARTERS[name]({
        brokers, topic: prefix, group: `${prefix}-group`, redisUrl: redis.state.url, prefix, gateways: o.gateways,
        workDir: path.join(runDir, name), historySize: o.historySize, ...(o.profile ? { profileDir: path.resolve(o.profile) } : {}),
      });
      try {
        for (const plan of planScenarios(o)) {
          log(`${name}: ${plan.title}`);
          const env = { brokers, topic: prefix, redisUrl: redis.state.url, workers: o.workers, payloadBytes: o.payloadBytes, log };
          try {
            const result: ScenarioResult = await runScenario(system, plan, env, plan.name);
            run.results.push(result);
            log(`  delivered ${result.delivered}/${result.expected} (missed ${result.missing}, dup ${result.duplicates}), ${result.deliveredPerSec.toFixed(0)} msg/s, p99 ${result.latencyMs.p99?.toFixed(1) ?? '–'} ms`);
          } catch (err) {
            log(`  failed: ${String(err)}`);
            run.notRun.push({ system: name, scenario: plan.name, reason: err instanceof Error ? err.message : String(err) });
          }
        }
      } finally {
        await system.stop();
      }
    });
  } finally {
    await Promise.all(redis.procs.map((p) => stopOwned(p, 5000)));
  }
}

/** Runs every planned system × scenario against Kafka at `brokers`. */
export async function runBench(o: BenchOptions, brokers: string[], log: (l: string) => void = console.log): Promise<BenchRun> {
  const startedAt = new Date().toISOString();
  const runDir = path.join(repoRoot, '.ces', 'bench', startedAt.replace(/[:.]/g, '-'));
  mkdirSync(runDir, { recursive: true });
  const run: BenchRun = {
    startedAt, machine: machineInfo(), options: { ...o }, results: [], notRun: [],
    versions: {
      node: process.versions.node, 'socket.io': versionOf('socket.io'), '@socket.io/redis-streams-adapter': versionOf('@socket.io/redis-streams-adapter'),
      centrifugo: CENTRIFUGO_VERSION, 'centrifuge (client)': versionOf('centrifuge'), kafkajs: versionOf('kafkajs'),
    },
  };
  for (const name of o.systems) {
    try {
      await runSystem(name, o, brokers, runDir, run, log);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      log(`${name}: not run — ${reason}`);
      run.notRun.push({ system: name, reason });
    }
  }
  return run;
}
