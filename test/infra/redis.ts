/**
 * Redis from Debian's redis-server (7.0: sharded pub/sub), never the system service: a single node
 * and a 3-master cluster without replicas (reference/infra.md §5), each on free 127.0.0.1 ports with
 * its data under `.ces/infra/redis*`. Nothing is persisted: every start is empty.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ensureDebPackage } from './apt.ts';
import { componentDir } from './paths.ts';
import { freePorts, isOwnedAlive, run, runOk, spawnDetached, stopOwned, tailOf, waitUntil, type OwnedProcess } from './procs.ts';
import type { Running } from './records.ts';

export interface RedisState {
  url: string;
  host: string;
  port: number;
}

export interface RedisClusterState {
  nodes: { host: string; port: number }[];
}

export const redisPackage = { name: 'redis-server', binaries: ['redis-server', 'redis-cli'], service: 'redis-server' };

/**
 * redis.conf for one test node. Redis rewrites its process title, so the title template carries
 * the config file path: that keeps the pid record's marker visible in /proc/<pid>/cmdline.
 */
export function renderRedisConf(opts: { port: number; dir: string; busPort?: number }): string {
  const lines = [
    `port ${opts.port}`,
    'bind 127.0.0.1',
    'protected-mode yes',
    `dir ${opts.dir}`,
    `logfile ${path.join(opts.dir, 'redis.log')}`,
    'daemonize no',
    'save ""',
    'appendonly no',
    'loglevel notice',
    `proc-title-template "{title} {listen-addr} {server-mode} {config-file}"`,
    // Tests open many short-lived connections and subscribers in parallel processes.
    'maxclients 10000',
  ];
  if (opts.busPort !== undefined) {
    // The bus port defaults to port+10000, which may be taken or above 65535: allocate it explicitly.
    lines.push(
      'cluster-enabled yes',
      `cluster-port ${opts.busPort}`,
      `cluster-config-file ${path.join(opts.dir, 'nodes.conf')}`,
      'cluster-node-timeout 2000',
    );
  }
  return lines.join('\n') + '\n';
}

async function startNode(dir: string, port: number, busPort?: number): Promise<OwnedProcess> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const confFile = path.join(dir, 'redis.conf');
  writeFileSync(confFile, renderRedisConf({ port, dir, busPort }));
  const proc = await spawnDetached('redis-server', [confFile], { cwd: dir, logFile: path.join(dir, 'stdout.log'), marker: confFile });
  try {
    await waitUntil(`redis-server on 127.0.0.1:${port}`, () => redisPing(port), {
      timeoutMs: 15_000,
      intervalMs: 100,
      check: () => {
        if (!isOwnedAlive(proc)) throw new Error(`redis-server exited; ${dir}/redis.log:\n${tailOf(path.join(dir, 'redis.log'))}`);
      },
    });
  } catch (err) {
    await stopOwned(proc, 2_000);
    throw err;
  }
  return proc;
}

async function redisCli(port: number, ...args: string[]): Promise<string> {
  const result = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args]);
  return result.code === 0 ? result.stdout.trim() : '';
}

export async function redisPing(port: number): Promise<boolean> {
  return (await redisCli(port, 'ping')) === 'PONG';
}

/**
 * Starts the single node. `port` lets a reliability test restart a node it stopped on the same
 * address (the node comes back empty: nothing is persisted).
 */
export async function startRedis(opts: { dir?: string; port?: number } = {}): Promise<Running<RedisState>> {
  await ensureDebPackage(redisPackage);
  const port = opts.port ?? ((await freePorts(1)) as [number])[0];
  const proc = await startNode(opts.dir ?? componentDir('redis'), port);
  return { state: { url: `redis://127.0.0.1:${port}`, host: '127.0.0.1', port }, procs: [proc] };
}

/** Starts 3 cluster-mode nodes and joins them into one cluster of 3 masters owning all 16384 slots. */
export async function startRedisCluster(opts: { dir?: string; masters?: number } = {}): Promise<Running<RedisClusterState>> {
  await ensureDebPackage(redisPackage);
  const base = opts.dir ?? componentDir('redis-cluster');
  rmSync(base, { recursive: true, force: true });
  const masters = opts.masters ?? 3;
  const allPorts = await freePorts(masters * 2);
  const ports = allPorts.slice(0, masters);
  const procs: OwnedProcess[] = [];
  try {
    for (const [i, port] of ports.entries()) procs.push(await startNode(path.join(base, String(port)), port, allPorts[masters + i]));
    // IP addresses, not "localhost": what is given here is what CLUSTER SLOTS hands to clients.
    const hosts = ports.map((p) => `127.0.0.1:${p}`);
    await runOk('redis-cli', ['--cluster', 'create', ...hosts, '--cluster-replicas', '0', '--cluster-yes']);
    await waitUntil('Redis cluster_state:ok on every node', () => redisClusterHealthy(ports), { timeoutMs: 30_000, intervalMs: 200 });
  } catch (err) {
    await Promise.all(procs.map((proc) => stopOwned(proc, 2_000)));
    throw err;
  }
  return { state: { nodes: ports.map((port) => ({ host: '127.0.0.1', port })) }, procs };
}

/** Every node answers, sees all the others and reports cluster_state:ok. */
export async function redisClusterHealthy(ports: number[]): Promise<boolean> {
  for (const port of ports) {
    const info = await redisCli(port, 'cluster', 'info');
    if (!info.includes('cluster_state:ok') || !info.includes(`cluster_known_nodes:${ports.length}`)) return false;
  }
  return true;
}
