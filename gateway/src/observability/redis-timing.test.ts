import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { createMetrics, metricValue } from './metrics.ts';
import { commandLabel, instrumentRedis, type CommandLike } from './redis-timing.ts';

/** A stand-in for an ioredis client: replies after the command is sent (pure logic, no Redis). */
class FakeClient {
  sent: string[] = [];
  sendCommand(command: CommandLike & { resolve: () => void; reject: (e: Error) => void }): unknown {
    this.sent.push(command.name);
    if (command.name === 'fail') command.reject(new Error('boom'));
    else command.resolve();
    return command.promise;
  }
}

function command(name: string) {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<unknown>((res, rej) => {
    resolve = () => res('OK');
    reject = rej;
  });
  return { name, promise, resolve, reject };
}

describe('Redis command timing', () => {
  it('observes every command once, by name, on success and on error', async () => {
    const m = createMetrics(new Registry(), { defaultMetrics: false });
    const client = instrumentRedis(instrumentRedis(new FakeClient(), m), m);
    await client.sendCommand(command('evalsha'));
    await client.sendCommand(command('GET'));
    const failing = command('fail');
    await assert.rejects(client.sendCommand(failing) as Promise<unknown>, /boom/);
    await new Promise((r) => setImmediate(r));
    assert.equal(await metricValue(m.registry, 'ces_gateway_redis_command_duration_seconds_count', { command: 'evalsha' }), 1);
    assert.equal(await metricValue(m.registry, 'ces_gateway_redis_command_duration_seconds_count', { command: 'get' }), 1);
    assert.equal(await metricValue(m.registry, 'ces_gateway_redis_command_duration_seconds_count', { command: 'fail' }), 1);
    assert.deepEqual(client.sent, ['evalsha', 'GET', 'fail']);
  });

  it('keeps the label bounded for hostile command names', () => {
    assert.equal(commandLabel('XADD'), 'xadd');
    assert.equal(commandLabel('x'.repeat(100)), 'other');
    assert.equal(commandLabel('get\n{evil="1"}'), 'other');
    assert.equal(commandLabel(''), 'other');
  });
});
