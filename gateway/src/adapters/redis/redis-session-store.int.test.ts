/** The SessionStore contract against real Redis: a single node and a 3-node Redis Cluster. */
import { needs, uniqueName } from '@ces/test/support/infra';
import { sessionStoreContract } from '../memory/session-store.contract.ts';
import { createRedis, type RedisConnection } from './redis-client.ts';
import { RedisSessionStore } from './redis-session-store.ts';
import { deletePrefix } from './redis-cleanup.ts';

function suite(name: string, url: string | undefined, mode: 'standalone' | 'cluster', skip: string | false): void {
  const keyPrefix = uniqueName('ces-sessions');
  let redis: RedisConnection | undefined;
  sessionStoreContract(
    name,
    async (options) => {
      redis = createRedis({ url: url!, mode, keyPrefix, commandTimeoutMs: 2000 });
      return new RedisSessionStore(redis, options);
    },
    {
      skip,
      cleanup: async () => {
        if (!redis) return;
        await deletePrefix(redis, keyPrefix);
        await redis.close();
      },
    },
  );
}

const single = needs('redis');
suite('redis single node', single.value?.url, 'standalone', single.skip);

const cluster = needs('redisCluster');
suite(
  'redis cluster',
  cluster.value?.nodes.map((n) => `redis://${n.host}:${n.port}`).join(','),
  'cluster',
  cluster.skip,
);
