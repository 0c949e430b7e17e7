/**
 * `instrumentRedis` against a real Redis through a real ioredis client: commands, pipelines and
 * scripts land in ces_gateway_redis_command_duration_seconds by command name.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { needs, uniqueName } from '../support/infra.ts';
import { createMetrics, metricValue } from '@ces/gateway/observability/metrics';
import { instrumentRedis } from '@ces/gateway/observability/redis-timing';

const redis = needs('redis');

describe('Redis command timing on a real client', { skip: redis.skip }, () => {
  const key = uniqueName('ces-obs-timing');
  let client: Redis | undefined;
  after(async () => {
    await client?.del(key);
    client?.disconnect();
  });

  it('observes commands, pipelined commands and scripts by name', async () => {
    const m = createMetrics(new Registry(), { defaultMetrics: false });
    client = instrumentRedis(new Redis(redis.value!.url, { lazyConnect: true }), m);
    await client.connect();
    await client.set(key, '1', 'EX', 60);
    assert.equal(await client.get(key), '1');
    await client.pipeline().incr(key).incr(key).exec();
    assert.equal(await client.eval('return redis.call("GET", KEYS[1])', 1, key), '3');
    const count = (command: string) => metricValue(m.registry, 'ces_gateway_redis_command_duration_seconds_count', { command });
    assert.equal(await count('set'), 1);
    assert.equal(await count('get'), 1);
    assert.equal(await count('incr'), 2);
    assert.equal(await count('eval'), 1);
    const sum = await metricValue(m.registry, 'ces_gateway_redis_command_duration_seconds_sum', { command: 'get' });
    assert.ok(sum !== undefined && sum > 0);
  });
});
