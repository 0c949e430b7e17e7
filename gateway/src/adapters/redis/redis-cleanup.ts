/**
 * Deletes every key under a prefix, on every master of a cluster. Tests use it to clean up their
 * unique key prefix; never used on a production path.
 */
import type { Cluster, Redis } from 'ioredis';
import type { RedisConnection } from './redis-client.ts';

async function deleteOn(node: Redis, match: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await node.scan(cursor, 'MATCH', match, 'COUNT', 500);
    cursor = next;
    // One key per DEL: keys of different slots may not be deleted together in a cluster.
    for (const key of keys) await node.del(key);
  } while (cursor !== '0');
}

export async function deletePrefix(redis: RedisConnection, prefix: string): Promise<void> {
  const match = `${prefix}:*`;
  if (redis.mode === 'cluster') {
    for (const node of (redis.cmd as Cluster).nodes('master')) await deleteOn(node, match);
  } else {
    await deleteOn(redis.cmd as Redis, match);
  }
}
