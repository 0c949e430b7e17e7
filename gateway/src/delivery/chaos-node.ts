/**
 * Test helper process: one gateway's delivery (consumer group member, Redis history) without the
 * WebSocket edge, for reliability tests that SIGKILL and restart consumers.
 * Usage: node chaos-node.ts '<json config overrides>'. Prints "ready" once it joined the group.
 */
import pino from 'pino';
import { loadConfig } from '../config/load.ts';
import { createMetrics } from '../observability/metrics.ts';
import { MemorySessionStore } from '../adapters/memory/memory-session-store.ts';
import { createRedis } from '../adapters/redis/redis-client.ts';
import { createDelivery } from './index.ts';

const config = loadConfig([], {}, JSON.parse(process.argv[2] ?? '{}') as object);
const redis = createRedis(config.redis);
const delivery = createDelivery(config, {
  sessions: new MemorySessionStore({ tombstoneMs: 1000 }),
  metrics: createMetrics(undefined, { defaultMetrics: false }),
  logger: pino({ level: 'silent' }),
  redis: redis.cmd,
});
await delivery.start();
const timer = setInterval(() => {
  if (delivery.ready()) {
    clearInterval(timer);
    process.stdout.write('ready\n');
  }
}, 50);
process.once('SIGTERM', () => {
  void delivery.stop().finally(() => redis.close().finally(() => process.exit(0)));
});
