/**
 * Helpers for the delivery e2e tests: real gateway processes (gateway/src/main.ts, configured by
 * CES_* env like the operator does), sessions minted and registered over HTTP, clients using the
 * real SDK over `ws`. Every name (topics, group, key prefix) is unique per test file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import path from 'node:path';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { repoRoot, uniqueName } from '../support/infra.ts';
import { createTopicsAndWait } from '../support/kafka.ts';

export const API_TOKEN = 'e2e-delivery-token-0123456789abcdef';

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

export interface Stream {
  name: string;
  topic: string;
  dlq: string;
  inbound: string;
  group: string;
  keyPrefix: string;
  kafka: Kafka;
  producer: Producer;
  produce(sessionOrHeaders: Record<string, string>, value: unknown, key?: string): Promise<void>;
  close(): Promise<void>;
}

export async function createStream(brokers: string[], partitions = 3): Promise<Stream> {
  const name = uniqueName('e2e-dlv');
  const kafka = new Kafka({ clientId: name, brokers, logLevel: logLevel.NOTHING });
  const s = { name, topic: `${name}-events`, dlq: `${name}-dlq`, inbound: `${name}-inbound`, group: `${name}-group`, keyPrefix: name };
  const admin = kafka.admin();
  await admin.connect();
  try {
    await createTopicsAndWait(admin, [{ topic: s.topic, numPartitions: partitions }, { topic: s.dlq, numPartitions: 1 }, { topic: s.inbound, numPartitions: 1 }]);
  } finally {
    await admin.disconnect();
  }
  const producer = kafka.producer();
  await producer.connect();
  return {
    ...s,
    kafka,
    producer,
    async produce(headers, value, key) {
      await producer.send({ topic: s.topic, messages: [{ key: key ?? null, value: JSON.stringify(value), headers }] });
    },
    async close() {
      await producer.disconnect();
      const a = kafka.admin();
      await a.connect();
      await a.deleteTopics({ topics: [s.topic, s.dlq, s.inbound] }).catch(() => undefined);
      await a.deleteGroups([s.group]).catch(() => undefined);
      await a.disconnect();
    },
  };
}

export interface GatewayProcess {
  name: string;
  url: string;
  child: ChildProcess;
  /** Starts it again with the same port and settings (after a kill). */
  restart(): Promise<void>;
  kill(signal: NodeJS.Signals): Promise<void>;
  alive(): boolean;
}

export async function spawnGateway(stream: Stream, redisUrl: string, brokers: string[], extraEnv: Record<string, string> = {}): Promise<GatewayProcess> {
  const port = await freePort();
  const name = `${stream.name}-gw-${port}`;
  const url = `http://127.0.0.1:${port}`;
  const env = {
    ...process.env,
    CES_HOST: '127.0.0.1',
    CES_PORT: String(port),
    CES_PUBLIC_URL: url,
    CES_NODE_NAME: name,
    CES_API_TOKEN: API_TOKEN,
    CES_REDIS_URL: redisUrl,
    CES_REDIS_KEY_PREFIX: stream.keyPrefix,
    CES_KAFKA_BROKERS: brokers.join(','),
    CES_KAFKA_TOPICS: stream.topic,
    CES_KAFKA_GROUP_ID: stream.group,
    CES_KAFKA_DLQ_TOPIC: stream.dlq,
    CES_KAFKA_INBOUND_TOPIC: stream.inbound,
    CES_KAFKA_SESSION_TIMEOUT_MS: '6000',
    CES_KAFKA_REBALANCE_TIMEOUT_MS: '6000',
    CES_KAFKA_HEARTBEAT_INTERVAL_MS: '500',
    CES_KAFKA_MAX_WAIT_MS: '100',
    CES_HISTORY_BREAKER_HALF_OPEN_MS: '300',
    CES_WS_HEARTBEAT_INTERVAL_MS: '2000',
    CES_DRAIN_GRACE_MS: '2000',
    CES_RATE_LIMIT_CONNECT_PER_IP_PER_MINUTE: '0',
    CES_RATE_LIMIT_REGISTER_PER_IP_PER_MINUTE: '0',
    CES_LOG_LEVEL: 'warn',
    ...extraEnv,
  };
  let child: ChildProcess;
  const start = async (): Promise<void> => {
    child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', path.join(repoRoot, 'gateway/src/main.ts')], { cwd: repoRoot, env, stdio: ['ignore', 'ignore', 'inherit'] });
    const deadline = Date.now() + 60_000;
    while (!(await fetch(`${url}/readyz`).then((r) => r.ok, () => false))) {
      if (child.exitCode !== null) throw new Error(`gateway ${name} exited with ${child.exitCode} during start`);
      if (Date.now() > deadline) throw new Error(`gateway ${name} not ready within 60 s`);
      await sleep(100);
    }
  };
  await start();
  return {
    name,
    url,
    get child() {
      return child;
    },
    restart: start,
    async kill(signal) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill(signal);
      await exited;
    },
    alive: () => child.exitCode === null && child.signalCode === null,
  };
}

async function api(url: string, route: string, body: unknown, token?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${url}${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Mints (backend) and registers (client) a session; returns its id and WebSocket URL. */
export async function newSession(gatewayUrl: string, customerId: string, rooms: string[] = []): Promise<{ sessionId: string; websocketUrl: string }> {
  const minted = await api(gatewayUrl, '/api/sessions', { customerId, rooms }, API_TOKEN);
  if (minted.status !== 201) throw new Error(`mint failed: ${minted.status} ${JSON.stringify(minted.body)}`);
  const sessionId = (minted.body.session as { sessionId: string }).sessionId;
  const registered = await api(gatewayUrl, '/api/register', { sessionId });
  if (registered.status !== 200) throw new Error(`register failed: ${registered.status} ${JSON.stringify(registered.body)}`);
  return { sessionId, websocketUrl: registered.body.websocketUrl as string };
}

/** The WebSocket URL of a session on another gateway. */
export function wsUrlOn(gateway: GatewayProcess, sessionId: string): string {
  return `${gateway.url.replace(/^http/, 'ws')}/ws/${encodeURIComponent(sessionId)}`;
}

export { API_TOKEN as apiToken };
