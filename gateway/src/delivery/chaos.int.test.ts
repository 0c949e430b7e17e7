/**
 * No loss, no duplicate seen by the app, under chaos: a steady keyed stream while consumers in
 * other processes are SIGKILLed and restarted and the group rebalances, and clients (the real SDK,
 * over an in-process loopback) are disconnected at random and resume. Every session's client log
 * must equal the produced log for it, in order.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { needs } from '../../../test/support/infra.ts';
import { realFixture, type RealFixture } from './real-fixture.ts';
import { loopback } from './loopback.ts';
import { CesClient } from '../../client/index.ts';
import type { Delivery } from './index.ts';

const kafka = needs('kafka');
const redis = needs('redis');
const NODE = fileURLToPath(new URL('./chaos-node.ts', import.meta.url));
const SESSIONS = 6;
const PER_SESSION = 40;

function startNode(overrides: object): { proc: ChildProcess; ready: Promise<void> } {
  const proc = spawn(process.execPath, [NODE, JSON.stringify(overrides)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const ready = new Promise<void>((resolve, reject) => {
    proc.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
    proc.once('exit', (code) => reject(new Error(`chaos node exited early (${code})`)));
  });
  ready.catch(() => undefined);
  return { proc, ready };
}

describe('chaos: consumers killed and restarted, rebalances, random client disconnects', { skip: kafka.skip || redis.skip, timeout: 150_000 }, () => {
  let f: RealFixture;
  const procs: ChildProcess[] = [];
  const clients: CesClient[] = [];
  before(async () => {
    f = await realFixture(kafka.value!.brokers, redis.value!.url, { delivery: { unknownSessionPolicy: 'store' } });
  });
  after(async () => {
    for (const c of clients) c.close();
    for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
    await f?.close();
  });

  it('every session receives exactly its produced log, in order', async () => {
    const gateway: Delivery = await f.start();
    const first = startNode(f.configOverrides);
    const second = startNode(f.configOverrides);
    procs.push(first.proc, second.proc);
    await Promise.all([first.ready, second.ready]);

    const ids = Array.from({ length: SESSIONS }, (_, i) => `chaos-${i}`);
    const logs = new Map(ids.map((id) => [id, [] as number[]]));
    const lb = loopback(() => gateway.handler, (sessionId) => ({ sessionId, customerId: `cust-${sessionId}`, rooms: [], expiresAt: Date.now() + 600_000 }));
    for (const id of ids) {
      const client = new CesClient({
        url: `ws://loopback/ws/${id}`, socket: lb.factory, backoff: { initialMs: 5, maxMs: 50 }, ackDelayMs: 10,
        onMessage: (m) => logs.get(id)!.push((m.data as { n: number }).n),
      });
      clients.push(client);
      client.connect();
    }
    await f.waitFor('clients connected', () => clients.every((c) => c.connected));

    const disconnects = setInterval(() => {
      const conns = [...lb.live.values()];
      conns[Math.floor(Math.random() * conns.length)]?.close('TAKEN_OVER');
    }, 40);
    let third: ReturnType<typeof startNode> | undefined;
    let restarted: ReturnType<typeof startNode> | undefined;
    try {
      for (let n = 0; n < PER_SESSION; n++) {
        for (const id of ids) await f.produce({ 'ces-session-id': id }, JSON.stringify({ n }), id);
        if (n === 10) first.proc.kill('SIGKILL'); // crash: its uncommitted records are redelivered
        if (n === 16) procs.push((third = startNode(f.configOverrides)).proc); // join: rebalance
        if (n === 24) procs.push((restarted = startNode(f.configOverrides)).proc); // restart: rebalance
        if (n === 30) second.proc.kill('SIGTERM'); // graceful leave: rebalance
        await new Promise((r) => setTimeout(r, 20));
      }
      await Promise.all([third?.ready, restarted?.ready]);
      await f.waitFor('every log complete', () => ids.every((id) => logs.get(id)!.length >= PER_SESSION), 90_000);
    } finally {
      clearInterval(disconnects);
    }
    assert.ok(lb.opened() > SESSIONS * 3, `clients were disconnected and resumed (${lb.opened()} connections)`);
    const expected = Array.from({ length: PER_SESSION }, (_, n) => n);
    for (const id of ids) assert.deepEqual(logs.get(id), expected, `client log of ${id}`);
    for (const id of ids) assert.equal((await gateway.parts.history.window(`s:${id}`)).top, PER_SESSION, `history of ${id} has no duplicates`);
  });
});
