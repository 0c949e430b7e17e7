/**
 * The ONE Redis client factory of the gateway (edge and delivery share it). Standalone or
 * Cluster from `config.redis`; pub/sub goes through `publish`/`createSubscriber`, which use
 * sharded pub/sub (SPUBLISH/SSUBSCRIBE) in cluster mode so a channel lives on one shard instead
 * of being broadcast to every node. Keys are built with `key()`: `<prefix>:<parts…>`; callers
 * put `{<sessionId>}`-style hash tags in the parts that must share a slot.
 */
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { GatewayConfig } from '../../config/load.ts';

export type RedisCommands = Redis | Cluster;

export interface RedisSubscriber {
  /** Subscribes; resolves when the server confirmed. Messages arrive as strings. */
  subscribe(channel: string, onMessage: (message: string) => void): Promise<void>;
  unsubscribe(channel: string): Promise<void>;
  close(): Promise<void>;
}

export interface RedisConnection {
  readonly mode: 'standalone' | 'cluster';
  /** The command client (commands, scripts, pipelines). */
  readonly cmd: RedisCommands;
  /** `<prefix>:<parts…>`. */
  key(...parts: string[]): string;
  publish(channel: string, message: string): Promise<void>;
  /** A dedicated connection for subscriptions (a subscribed connection cannot run commands). */
  createSubscriber(): RedisSubscriber;
  close(): Promise<void>;
}

function baseOptions(config: GatewayConfig['redis']): RedisOptions {
  return {
    commandTimeout: config.commandTimeoutMs,
    connectTimeout: Math.max(config.commandTimeoutMs, 1000),
    maxRetriesPerRequest: 1,
    // Commands issued in the same event-loop tick go out in one write: under load the per-record
    // history appends, session reads and ack writes share syscalls instead of one write each.
    enableAutoPipelining: true,
    // Reconnect forever with a capped backoff; callers see command errors meanwhile (readiness goes false).
    retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 2000),
  };
}

function clusterNodes(url: string): { host: string; port: number }[] {
  return url.split(',').map((u) => {
    const parsed = new URL(u.trim());
    return { host: parsed.hostname, port: Number(parsed.port || 6379) };
  });
}

function credentials(url: string): Pick<RedisOptions, 'username' | 'password' | 'tls'> {
  const parsed = new URL(url.split(',')[0]!.trim());
  return {
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

function newCluster(config: GatewayConfig['redis'], sharded: boolean): Cluster {
  return new Cluster(clusterNodes(config.url), {
    redisOptions: { ...baseOptions(config), ...credentials(config.url) },
    clusterRetryStrategy: (attempt) => Math.min(100 * attempt, 2000),
    enableAutoPipelining: true,
    shardedSubscribers: sharded,
  });
}

export function createRedis(config: GatewayConfig['redis']): RedisConnection {
  const cluster = config.mode === 'cluster';
  const cmd: RedisCommands = cluster ? newCluster(config, false) : new Redis(config.url, baseOptions(config));
  // ioredis emits 'error' on every failed reconnect; callers observe failures through commands.
  cmd.on('error', () => {});
  const subscribers = new Set<RedisSubscriber>();

  function createSubscriber(): RedisSubscriber {
    const sub: RedisCommands = cluster ? newCluster(config, true) : (cmd as Redis).duplicate();
    sub.on('error', () => {});
    const handlers = new Map<string, (message: string) => void>();
    sub.on(cluster ? 'smessage' : 'message', (channel: string, message: string) => handlers.get(channel)?.(message));
    const subscriber: RedisSubscriber = {
      async subscribe(channel, onMessage) {
        handlers.set(channel, onMessage);
        if (cluster) await sub.ssubscribe(channel);
        else await sub.subscribe(channel);
      },
      async unsubscribe(channel) {
        handlers.delete(channel);
        if (cluster) await sub.sunsubscribe(channel);
        else await sub.unsubscribe(channel);
      },
      async close() {
        subscribers.delete(subscriber);
        handlers.clear();
        sub.disconnect();
      },
    };
    subscribers.add(subscriber);
    return subscriber;
  }

  return {
    mode: cluster ? 'cluster' : 'standalone',
    cmd,
    key: (...parts) => [config.keyPrefix, ...parts].join(':'),
    async publish(channel, message) {
      if (cluster) await cmd.spublish(channel, message);
      else await cmd.publish(channel, message);
    },
    createSubscriber,
    async close() {
      await Promise.all([...subscribers].map((s) => s.close()));
      try {
        await cmd.quit();
      } catch {
        cmd.disconnect();
      }
    },
  };
}
