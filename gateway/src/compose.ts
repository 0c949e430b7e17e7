/**
 * Composes a gateway from a frozen config: memory twins without `redis.url`, Redis (standalone
 * or Cluster) with it; delivery from delivery/index.ts. Shared by main.ts and the test helpers
 * so tests run exactly what production runs.
 */
import type { GatewayConfig } from './config/load.ts';
import { createMetrics, type GatewayMetrics } from './observability/metrics.ts';
import { instrumentRedis } from './observability/redis-timing.ts';
import type { Logger } from './observability/logger.ts';
import type { SessionStore } from './ports/session-store.ts';
import type { ControlBus } from './ports/control-bus.ts';
import { MemorySessionStore } from './adapters/memory/memory-session-store.ts';
import { MemoryControlBus, type MemoryControlHub } from './adapters/memory/memory-control-bus.ts';
import { createRedis } from './adapters/redis/redis-client.ts';
import { RedisSessionStore } from './adapters/redis/redis-session-store.ts';
import { RedisControlBus } from './adapters/redis/redis-control-bus.ts';
import { createRateLimiter } from './adapters/rate-limiters.ts';
import { pushRoutes } from './adapters/http/routes/push.ts';
import { dlqReplayRoutes } from './adapters/http/routes/dlq-replay.ts';
import { createDelivery } from './delivery/index.ts';
import { buildGateway, type Gateway, type GatewayDelivery } from './gateway.ts';

export interface ComposeOptions {
  logger: Logger;
  metrics?: GatewayMetrics;
  /** In-process gateways sharing this hub see each other's control messages (memory mode). */
  memoryHub?: MemoryControlHub;
  /** Replaces the session store (fault-injection tests). */
  sessions?: SessionStore;
  /** Replaces delivery (edge-only tests). */
  delivery?: GatewayDelivery;
}

export async function composeGateway(config: GatewayConfig, options: ComposeOptions): Promise<Gateway> {
  const { logger } = options;
  const metrics = options.metrics ?? createMetrics(undefined, { stream: config.stream.name });
  // Topics are bounded by configuration: start each at 0 so rate() sees the first record.
  for (const topic of config.kafka.topics) metrics.recordsConsumedTotal.inc({ topic }, 0);
  const redis = config.redis.url ? createRedis(config.redis) : undefined;
  // Command latency of the command client only (the subscriber's SUBSCRIBE would measure idle time).
  if (redis) instrumentRedis(redis.cmd, metrics);
  const storeOptions = { tombstoneMs: config.session.tombstoneSeconds * 1000 };
  const sessions: SessionStore = options.sessions ?? (redis ? new RedisSessionStore(redis, storeOptions) : new MemorySessionStore(storeOptions));
  const bus: ControlBus = redis ? new RedisControlBus(redis) : new MemoryControlBus(options.memoryHub);
  const limiter = (name: string, points: number, durationSeconds: number) => createRateLimiter({ name, points, durationSeconds }, redis);
  const delivery = options.delivery ?? createDelivery(config, { sessions, metrics, logger, ...(redis ? { redis: redis.cmd } : {}) });
  const routes = 'push' in delivery ? [pushRoutes(delivery as ReturnType<typeof createDelivery>), dlqReplayRoutes(delivery as ReturnType<typeof createDelivery>)] : [];
  return buildGateway({
    config, logger, metrics, sessions, bus, delivery, routes,
    limits: {
      register: limiter('register', config.rateLimit.registerPerIpPerMinute, 60),
      connect: limiter('connect', config.rateLimit.connectPerIpPerMinute, 60),
    },
    onStopped: async () => redis?.close(),
  });
}
