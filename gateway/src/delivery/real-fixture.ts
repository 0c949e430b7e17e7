/**
 * Test fixture for delivery against real Kafka and Redis (in-process, FakeConnections): unique
 * topics, group and key prefix per fixture; everything created is deleted by `close()`.
 */
import pino from 'pino';
import type { ResumePositions, WelcomeFrame } from '@ces/contracts/protocol';
import type { SessionIdentity } from '../ports/delivery.ts';
import { loadConfig, type GatewayConfig } from '../config/load.ts';
import { createMetrics } from '../observability/metrics.ts';
import { MemorySessionStore } from '../adapters/memory/memory-session-store.ts';
import { createKafka } from '../adapters/kafka/client.ts';
import { createRedis, type RedisConnection } from '../adapters/redis/redis-client.ts';
import { deleteGroups, deleteTopics, ensureTopics } from '../adapters/kafka/admin.ts';
import { uniqueName } from '../../../test/support/infra.ts';
import { createDelivery, type Delivery } from './index.ts';
import { FakeConnection } from './delivery-fixture.ts';

export interface RealFixture {
  config: GatewayConfig;
  /** The overrides `config` was loaded with (to start the same gateway in another process). */
  configOverrides: object;
  sessions: MemorySessionStore;
  kafka: ReturnType<typeof createKafka>;
  /** Starts one more delivery instance (same group, Redis and sessions): a gateway. */
  start(redisUrl?: string): Promise<Delivery>;
  session(id: string, customerId?: string, rooms?: string[]): Promise<SessionIdentity>;
  connect(d: Delivery, s: SessionIdentity, resume?: ResumePositions, capacity?: number): Promise<{ conn: FakeConnection; welcome: WelcomeFrame }>;
  produce(headers: Record<string, string>, value: string | Buffer | null, key?: string): Promise<void>;
  waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function realFixture(brokers: string[], redisUrl: string, overrides: Record<string, object> = {}): Promise<RealFixture> {
  const name = uniqueName('dlv');
  const topic = `${name}-events`;
  const configOverrides = {
    node: name,
    redis: { url: redisUrl, keyPrefix: name, commandTimeoutMs: 2000, ...overrides.redis },
    kafka: {
      brokers, topics: [topic], groupId: `${name}-group`, clientId: name, dlqTopic: `${name}-dlq`, inboundTopic: `${name}-inbound`,
      sessionTimeoutMs: 6000, rebalanceTimeoutMs: 6000, heartbeatIntervalMs: 500, maxWaitMs: 100, partitionsConcurrently: 4, retryInitialMs: 100, retryMaxMs: 1000,
      ...overrides.kafka,
    },
    history: { maxEntries: 50, breakerFailures: 2, breakerHalfOpenMs: 300, ...overrides.history },
    producer: { retryAttempts: 2, timeoutMs: 5000 },
    ...(overrides.delivery ? { delivery: overrides.delivery } : {}),
  };
  const config = loadConfig([], {}, configOverrides);
  const kafka = createKafka(config.kafka);
  await ensureTopics(kafka, [
    { topic, numPartitions: 3 },
    { topic: config.kafka.dlqTopic, numPartitions: 1 },
    { topic: config.kafka.inboundTopic, numPartitions: 1 },
  ]);
  const sessions = new MemorySessionStore({ tombstoneMs: 60_000 });
  const producer = kafka.producer();
  await producer.connect();
  const started: { d: Delivery; redis: RedisConnection }[] = [];
  const logger = pino({ level: 'silent' });

  async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  return {
    config, configOverrides, sessions, kafka, waitFor,
    async start(url = redisUrl) {
      const redis = createRedis({ ...config.redis, url });
      const d = createDelivery({ ...config, redis: { ...config.redis, url } }, { sessions, metrics: createMetrics(undefined, { defaultMetrics: false }), logger, redis: redis.cmd });
      await d.start();
      started.push({ d, redis });
      await waitFor('consumer group joined', () => d.ready());
      return d;
    },
    async session(id, customerId = `cust-${id}`, rooms = []) {
      await sessions.create({ sessionId: id, customerId, rooms, ttlMs: 600_000 }, 10_000);
      await sessions.register(id);
      return { sessionId: id, customerId, rooms, expiresAt: Date.now() + 600_000 };
    },
    async connect(d, s, resume = {}, capacity = Infinity) {
      const conn = new FakeConnection(s, capacity);
      const welcome = await d.handler.open(conn, resume);
      return { conn, welcome };
    },
    async produce(headers, value, key) {
      await producer.send({ topic, messages: [{ key: key ?? null, value, headers }] });
    },
    async close() {
      for (const { d, redis } of started.reverse()) {
        await d.stop().catch(() => undefined);
        const nodes = 'nodes' in redis.cmd ? redis.cmd.nodes('master') : [redis.cmd];
        for (const node of nodes) {
          const keys = await node.keys(`${name}:*`).catch(() => [] as string[]);
          for (const key of keys) await redis.cmd.del(key).catch(() => undefined);
        }
        await redis.close();
      }
      await producer.disconnect();
      await deleteTopics(kafka, [topic, config.kafka.dlqTopic, config.kafka.inboundTopic]);
      await deleteGroups(kafka, [config.kafka.groupId]);
    },
  };
}
