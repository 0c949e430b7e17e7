/**
 * The History + Fanout contract against real Redis: a single node (sharded pub/sub, Redis >= 7)
 * and the 3-node cluster, where every channel's keys and live channel share one slot.
 */
import { Cluster, Redis } from 'ioredis';
import { needs, uniqueName } from '../../../../test/support/infra.ts';
import { historyContract, type HistoryFixture } from '../memory/history.contract.ts';
import { RedisHistory } from './history.ts';
import { RedisFanout } from './fanout.ts';
import { channelKeys } from './history-keys.ts';

const MAX = 5;

function fixture(client: Redis | Cluster): HistoryFixture {
  const keyPrefix = `${uniqueName('hist')}:`;
  const history = new RedisHistory(client, { keyPrefix, maxEntries: MAX, ttlSeconds: 60, dedupeWindow: 10, publishCommand: 'SPUBLISH' });
  const fanout = new RedisFanout(client, { keyPrefix, sharded: true });
  const used = new Set<string>();
  const track = <T extends (channel: string, ...rest: never[]) => unknown>(fn: T): T =>
    ((channel: string, ...rest: never[]) => (used.add(channel), fn(channel, ...rest))) as T;
  history.append = track(history.append.bind(history));
  history.read = track(history.read.bind(history));
  return {
    history,
    fanout,
    async lose(channel) {
      const k = channelKeys(keyPrefix, channel);
      await client.del(k.meta, k.log, k.sources);
    },
    async expireEntries(channel) {
      await client.del(channelKeys(keyPrefix, channel).log);
    },
    async close() {
      for (const channel of used) {
        const k = channelKeys(keyPrefix, channel);
        await client.del(k.meta, k.log, k.sources);
      }
      await fanout.close();
      client.disconnect();
    },
  };
}

const redis = needs('redis');
historyContract('redis single node', { maxEntries: MAX }, async () => fixture(new Redis(redis.value!.url)), redis.skip);

const cluster = needs('redisCluster');
historyContract(
  'redis cluster',
  { maxEntries: MAX },
  async () => {
    const client = new Cluster(cluster.value!.nodes);
    await new Promise<void>((resolve, reject) => {
      client.once('ready', () => resolve());
      client.once('error', reject);
    });
    return fixture(client);
  },
  cluster.skip,
);
