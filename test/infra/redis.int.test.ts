/**
 * Proves the test Redis is real: the single node answers, the cluster has 3 masters that each own
 * the keys hashed to them, cross-slot commands are refused, and sharded pub/sub (Redis 7) round-trips.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Cluster, Redis } from 'ioredis';
import { needs, uniqueName } from '../support/infra.ts';

const redis = needs('redis');
const cluster = needs('redisCluster');

describe('real Redis single node', { skip: redis.skip }, () => {
  let client: Redis;
  const prefix = uniqueName('infra');

  before(() => {
    client = new Redis(redis.value!.url, { lazyConnect: false, maxRetriesPerRequest: 1 });
  });
  after(async () => {
    const keys = await client.keys(`${prefix}:*`);
    if (keys.length) await client.del(...keys);
    await client.quit();
  });

  it('stores and expires keys', async () => {
    await client.set(`${prefix}:k`, 'v', 'PX', 60_000);
    assert.equal(await client.get(`${prefix}:k`), 'v');
    assert.ok((await client.pttl(`${prefix}:k`)) > 0);
  });

  it('is Redis 7 with sharded pub/sub', async () => {
    const info = await client.info('server');
    assert.match(info, /redis_version:7\./);
    const sub = client.duplicate();
    try {
      const channel = `${prefix}:ch`;
      await sub.ssubscribe(channel);
      const message = once(sub, 'smessage');
      assert.equal(await client.spublish(channel, 'hello'), 1);
      assert.deepEqual(await message, [channel, 'hello']);
    } finally {
      sub.disconnect();
    }
  });

  it('rejects an unknown command with an error instead of hanging', async () => {
    await assert.rejects(client.call('NOSUCHCOMMAND', 'x'), /unknown command/i);
  });
});

describe('real Redis Cluster (3 masters)', { skip: cluster.skip }, () => {
  let client: Cluster;
  let publisher: Cluster;
  const prefix = uniqueName('infra');
  const written: string[] = [];

  before(async () => {
    const nodes = cluster.value!.nodes;
    client = new Cluster(nodes, { shardedSubscribers: true, redisOptions: { maxRetriesPerRequest: 1 } });
    publisher = new Cluster(nodes, { redisOptions: { maxRetriesPerRequest: 1 } });
    await Promise.all([once(client, 'ready'), once(publisher, 'ready')]);
  });
  after(async () => {
    if (written.length) await Promise.all(written.map((k) => publisher.del(k)));
    await Promise.all([client.quit(), publisher.quit()]);
  });

  /** One hash tag per master: keys `${prefix}:{tag}:…` all land on that master's slots. */
  async function tagPerMaster(): Promise<Map<number, string>> {
    const slots = await publisher.cluster('SLOTS');
    const ownerOf = (slot: number) => slots.find(([lo, hi]) => slot >= lo && slot <= hi)?.[2]?.[1];
    const tags = new Map<number, string>();
    for (let i = 0; tags.size < slots.length && i < 1000; i++) {
      const tag = `${prefix}-t${i}`;
      const port = ownerOf((await publisher.cluster('KEYSLOT', `{${tag}}`)) as number);
      if (port !== undefined && !tags.has(port)) tags.set(port, tag);
    }
    return tags;
  }

  it('has 3 masters covering all 16384 slots, and a key on each shard is held by exactly that master', async () => {
    const slots = await publisher.cluster('SLOTS');
    assert.equal(new Set(slots.map((s) => s[2]?.[1])).size, 3);
    assert.equal(slots.reduce((n, [lo, hi]) => n + hi - lo + 1, 0), 16384);

    const tags = await tagPerMaster();
    assert.equal(tags.size, 3);
    for (const [port, tag] of tags) {
      const key = `{${tag}}:value`;
      written.push(key);
      await client.set(key, String(port), 'PX', 60_000);
      // Ask the master directly (no cluster redirects): only the owner has it.
      const direct = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 1 });
      try {
        assert.equal(await direct.get(key), String(port));
      } finally {
        direct.disconnect();
      }
      const other = [...tags.keys()].find((p) => p !== port)!;
      const wrong = new Redis({ host: '127.0.0.1', port: other, maxRetriesPerRequest: 1 });
      try {
        await assert.rejects(wrong.get(key), /MOVED/);
      } finally {
        wrong.disconnect();
      }
    }
  });

  it('refuses a multi-key command across slots (CROSSSLOT), and accepts it within one hash tag', async () => {
    const [a, b] = [...(await tagPerMaster()).values()];
    await assert.rejects(client.mget(`{${a}}:x`, `{${b}}:x`), /CROSSSLOT/);
    assert.deepEqual(await client.mget(`{${a}}:x`, `{${a}}:y`), [null, null]);
  });

  it('round-trips sharded pub/sub (SSUBSCRIBE/SPUBLISH) on every shard', async () => {
    const channels = [...(await tagPerMaster()).values()].map((tag) => `{${tag}}:events`);
    const got: string[] = [];
    const all = new Promise<void>((resolve) =>
      client.on('smessage', (channel: string, message: string) => {
        got.push(`${channel}=${message}`);
        if (got.length === channels.length) resolve();
      }),
    );
    for (const channel of channels) await client.ssubscribe(channel);
    for (const channel of channels) assert.equal(await publisher.spublish(channel, `hi ${channel}`), 1);
    await all;
    assert.deepEqual(got.sort(), channels.map((c) => `${c}=hi ${c}`).sort());
    for (const channel of channels) await client.sunsubscribe(channel);
  });
});
