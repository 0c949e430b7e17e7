/**
 * Kafka broker restart: a PRIVATE single broker (started with the infra library, never the shared
 * one) is stopped and started again with the same data while a gateway's delivery consumes from
 * it. The consumer reconnects with backoff, rejoins its group, and every record reaches the client
 * once, in order. The broker is restarted from its own recorded command line, so the restart keeps
 * its port, data and cluster id.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readlinkSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { needs } from '../support/infra.ts';
import { startKafka, kafkaHealthy } from '../infra/kafka.ts';
import { spawnDetached, isOwnedAlive, type OwnedProcess } from '../infra/procs.ts';
import { realFixture, type RealFixture } from '../../gateway/src/delivery/real-fixture.ts';

const kafka = needs('kafka'); // the JVM and Kafka jars are provisioned by the shared infra
const redis = needs('redis');

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('Kafka broker restart', { skip: kafka.skip || redis.skip, timeout: 300_000 }, () => {
  let dir: string;
  let broker: OwnedProcess | undefined;
  let brokers: string[];
  let f: RealFixture | undefined;

  before(async () => {
    process.env.CES_KAFKA_HEAP_OPTS ??= '-Xms128m -Xmx384m';
    dir = mkdtempSync(path.join(tmpdir(), 'ces-kafka-restart-'));
    const running = await startKafka({ dir: path.join(dir, 'kafka'), readyTimeoutMs: 120_000 });
    broker = running.procs[0];
    brokers = running.state.brokers;
  });
  after(async () => {
    await f?.close().catch(() => undefined);
    if (broker && isOwnedAlive(broker)) process.kill(broker.pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('the consumer recovers after the broker restarts; nothing is lost or doubled', async () => {
    f = await realFixture(brokers, redis.value!.url);
    const d = await f.start();
    const { conn } = await f.connect(d, await f.session('KR'));
    for (let n = 1; n <= 3; n++) await f.produce({ 'ces-session-id': 'KR' }, JSON.stringify(n), 'KR');
    await f.waitFor('records before the restart', () => conn.messages().length === 3);

    const args = readFileSync(`/proc/${broker!.pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    const cwd = readlinkSync(`/proc/${broker!.pid}/cwd`);
    process.kill(broker!.pid, 'SIGTERM');
    await until('broker stopped', () => !isOwnedAlive(broker!), 60_000);
    broker = await spawnDetached(args[0]!, args.slice(1), { cwd, logFile: path.join(dir, 'restart.log'), marker: broker!.marker });
    await until('broker back', () => kafkaHealthy(brokers), 120_000);

    for (let n = 4; n <= 6; n++) await f.produce({ 'ces-session-id': 'KR' }, JSON.stringify(n), 'KR');
    await f.waitFor('records after the restart', () => conn.messages().length >= 6, 150_000);
    await f.waitFor('ready again (group rejoined)', () => d.ready(), 60_000);
    assert.deepEqual(conn.messages().map((m) => m.data), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(conn.messages().map((m) => m.seq), [1, 2, 3, 4, 5, 6]);
  });
});
