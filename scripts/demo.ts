/**
 * `npm start`: the whole data path on one machine, visible in a browser.
 *
 *   real Kafka (test/infra, cached jars) [+ Redis when redis-server is installed]
 *   → one gateway process (gateway/src/main.ts, embedded defaults)
 *   → a producer writing sample customer events every second
 *   → a demo page (demo/) that registers a session, connects, shows events with their seq,
 *     and resumes without gaps after "Drop connection".
 *
 * Prints the URL; Ctrl-C (SIGINT/SIGTERM) stops everything it started, in reverse order.
 *
 * Options (env): CES_DEMO_PORT (default 8000; 0 = free port), CES_DEMO_HOST (127.0.0.1),
 * CES_DEMO_INTERVAL_MS (1000), CES_DEMO_TOPIC (demo.customer-events), and, to reuse running
 * servers instead of starting private ones (the browser test does this): CES_DEMO_KAFKA_BROKERS
 * (comma-separated), CES_DEMO_REDIS_URL (`none` = in-memory even if Redis is installed).
 * With reused servers the demo uses unique names and deletes its topics and keys on exit.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import type { Producer } from 'kafkajs';
import { Redis } from 'ioredis';
import { startKafka } from '../test/infra/kafka.ts';
import { startRedis } from '../test/infra/redis.ts';
import { createTopicsAndWait } from '../test/support/kafka.ts';
import { freePort, onPath, stopOwned } from '../test/infra/procs.ts';
import type { OwnedProcess } from '../test/infra/procs.ts';
import { startDemoWeb } from './demo-web.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const demoDir = path.join(repoRoot, '.ces', 'demo');
/** Servers this demo started (detached, so they survive a SIGKILL of the demo): stopped on the next start. */
const procsFile = path.join(demoDir, 'procs.json');
const CUSTOMER = 'demo-customer';
const EVENTS = ['order.created', 'order.paid', 'order.packed', 'order.shipped', 'order.delivered'] as const;

const env = process.env;
const reuse = { brokers: env.CES_DEMO_KAFKA_BROKERS, redis: env.CES_DEMO_REDIS_URL };
const suffix = reuse.brokers ? `-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}` : '';
const opts = {
  port: Number(env.CES_DEMO_PORT ?? 8000),
  host: env.CES_DEMO_HOST ?? '127.0.0.1',
  intervalMs: Number(env.CES_DEMO_INTERVAL_MS ?? 1000),
  topic: `${env.CES_DEMO_TOPIC ?? 'demo.customer-events'}${suffix}`,
  keyPrefix: `ces-demo${suffix}`,
};

/** Stop actions, run in reverse order on exit. */
const cleanups: { what: string; run: () => Promise<unknown> }[] = [];
const log = (line: string) => console.log(`[demo] ${line}`);

async function kafkaBrokers(): Promise<string[]> {
  if (reuse.brokers) return reuse.brokers.split(',').map((b) => b.trim());
  log('starting Kafka (first run downloads Kafka 3.9 from Maven Central into ~/.cache/ces) ...');
  const kafka = await startKafka({ dir: path.join(demoDir, 'kafka') });
  remember(kafka.procs);
  cleanups.push({ what: 'Kafka', run: () => stopAll(kafka.procs) });
  return kafka.state.brokers;
}

async function redisUrl(): Promise<string | undefined> {
  if (reuse.redis === 'none') return undefined;
  if (reuse.redis) {
    cleanups.push({ what: 'Redis keys', run: () => deleteKeys(reuse.redis!, opts.keyPrefix) });
    return reuse.redis;
  }
  if (!(await onPath('redis-server'))) {
    log('redis-server not installed: the gateway keeps sessions and history in memory');
    return undefined;
  }
  const redis = await startRedis({ dir: path.join(demoDir, 'redis') });
  remember(redis.procs);
  cleanups.push({ what: 'Redis', run: () => stopAll(redis.procs) });
  return redis.state.url;
}

async function stopAll(procs: OwnedProcess[]): Promise<void> {
  for (const proc of procs) await stopOwned(proc);
  forget(procs);
}

function recorded(): OwnedProcess[] {
  try {
    return JSON.parse(readFileSync(procsFile, 'utf8')) as OwnedProcess[];
  } catch {
    return [];
  }
}

function remember(procs: OwnedProcess[]): void {
  mkdirSync(demoDir, { recursive: true });
  writeFileSync(procsFile, JSON.stringify([...recorded(), ...procs]));
}

function forget(procs: OwnedProcess[]): void {
  const left = recorded().filter((r) => !procs.some((p) => p.pid === r.pid));
  if (left.length === 0) rmSync(procsFile, { force: true });
  else writeFileSync(procsFile, JSON.stringify(left));
}

/** A demo killed with SIGKILL leaves its Kafka/Redis running; stopOwned checks each is still ours. */
async function stopLeftovers(): Promise<void> {
  const stale = recorded();
  if (stale.length > 0) log(`stopping ${stale.length} server(s) left by an earlier demo`);
  await stopAll(stale);
}

async function deleteKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    for await (const keys of redis.scanStream({ match: `${prefix}*`, count: 500 }) as AsyncIterable<string[]>) {
      if (keys.length > 0) await redis.del(...keys);
    }
  } finally {
    redis.disconnect();
  }
}

async function createTopics(kafka: Kafka, topics: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await createTopicsAndWait(admin, topics.map((topic) => ({ topic, numPartitions: 3 })));
  } finally {
    await admin.disconnect();
  }
  if (reuse.brokers) {
    cleanups.push({
      what: 'demo topics',
      run: async () => {
        const a = kafka.admin();
        await a.connect();
        await a.deleteTopics({ topics }).finally(() => a.disconnect());
      },
    });
  }
}

async function startGateway(brokers: string[], redis: string | undefined, demoOrigin: string[], apiToken: string, dlq: string, inbound: string): Promise<string> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // A config file of its own (settings come from env) whose path marks the process as this demo's.
  const configFile = path.join(demoDir, `gateway${suffix}.yaml`);
  mkdirSync(demoDir, { recursive: true });
  writeFileSync(configFile, '# npm start demo gateway: configured through CES_* env (scripts/demo.ts)\n{}\n');
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', '--max-semi-space-size=32', path.join(repoRoot, 'gateway/src/main.ts'), '--config', configFile], {
    cwd: repoRoot,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: {
      ...process.env,
      CES_HOST: '127.0.0.1',
      CES_PORT: String(port),
      CES_PUBLIC_URL: url,
      CES_NODE_NAME: 'demo-gateway-1',
      CES_API_TOKEN: apiToken,
      CES_ALLOWED_ORIGINS: demoOrigin.join(','),
      CES_KAFKA_BROKERS: brokers.join(','),
      CES_KAFKA_TOPICS: opts.topic,
      CES_KAFKA_GROUP_ID: `ces-demo${suffix}`,
      CES_KAFKA_DLQ_TOPIC: dlq,
      CES_KAFKA_INBOUND_TOPIC: inbound,
      CES_LOG_LEVEL: env.CES_LOG_LEVEL ?? 'warn',
      CES_REDIS_KEY_PREFIX: opts.keyPrefix,
      CES_DRAIN_GRACE_MS: '3000',
      ...(redis ? { CES_REDIS_URL: redis } : {}),
    },
  });
  const owned = { pid: child.pid!, marker: configFile };
  remember([owned]);
  cleanups.push({ what: 'gateway', run: async () => { await stopChild(child); forget([owned]); rmSync(configFile, { force: true }); } });
  await waitReady(url, child);
  return url;
}

async function waitReady(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`gateway exited with code ${child.exitCode} during start (see its log above)`);
    const ok = await fetch(new URL('/readyz', url)).then((r) => r.ok, () => false);
    if (ok) return;
    await sleep(250);
  }
  throw new Error(`gateway at ${url} not ready within 60 s`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const exited = once(child, 'exit');
  const timeout = sleep(10_000).then(() => 'timeout' as const);
  if ((await Promise.race([exited, timeout])) === 'timeout') child.kill('SIGKILL');
}

/** Sample customer events, routed to the demo customer's channel by the `ces-customer-id` header. */
function startProducer(producer: Producer): () => Promise<void> {
  let n = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      n += 1;
      const order = `ord-${1000 + Math.floor(n / EVENTS.length)}`;
      const event = EVENTS[n % EVENTS.length]!;
      await producer
        .send({
          topic: opts.topic,
          messages: [{ key: order, headers: { 'ces-customer-id': CUSTOMER }, value: JSON.stringify({ event, order, n, amount: 10 + (n % 7) * 5, at: new Date().toISOString() }) }],
        })
        .catch((err: unknown) => log(`produce failed (will retry): ${(err as Error).message}`));
      await sleep(opts.intervalMs);
    }
  })();
  return async () => {
    stopped = true;
    await loop;
  };
}

async function main(): Promise<void> {
  if (!reuse.brokers || reuse.redis === undefined) await stopLeftovers();
  const brokers = await kafkaBrokers();
  const redis = await redisUrl();
  const kafka = new Kafka({ clientId: 'ces-demo', brokers, logLevel: logLevel.NOTHING });
  const dlq = `${opts.topic}.dlq`;
  const inbound = `${opts.topic}.inbound`;
  await createTopics(kafka, [opts.topic, dlq, inbound]);

  // The web server's port must be known before the gateway starts (its Origin allowlist).
  const webPort = opts.port === 0 ? await freePort() : opts.port;
  const apiToken = randomBytes(24).toString('base64url');
  const origins = [`http://${opts.host}:${webPort}`, `http://localhost:${webPort}`, `http://127.0.0.1:${webPort}`];
  const gatewayUrl = await startGateway(brokers, redis, origins, apiToken, dlq, inbound);

  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const stopProducing = startProducer(producer);
  cleanups.push({ what: 'producer', run: async () => { await stopProducing(); await producer.disconnect(); } });

  const web = await startDemoWeb({ port: webPort, host: opts.host, staticDir: path.join(repoRoot, 'demo'), gatewayUrl, apiToken, customerId: CUSTOMER });
  cleanups.push({ what: 'web server', run: () => web.close() });

  log(`gateway ${gatewayUrl} (${redis ? 'Redis' : 'in-memory'} sessions), Kafka ${brokers.join(',')}, topic ${opts.topic}`);
  console.log(`\nCES demo: open ${web.url}\n(Ctrl-C stops everything)\n`);
}

let stopping = false;
async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  for (const step of cleanups.reverse()) {
    await step.run().catch((err: unknown) => log(`stopping ${step.what} failed: ${(err as Error).message}`));
  }
  log('stopped');
  process.exit(code);
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
main().catch((err: unknown) => {
  console.error(`[demo] failed: ${(err as Error).stack ?? String(err)}`);
  void shutdown(1);
});
