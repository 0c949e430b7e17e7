/**
 * No loss, no duplicate as the app sees it, through real gateway processes: a steady keyed stream
 * while one gateway is SIGKILLed (its clients fail over), restarted (rebalance), another is
 * restarted gracefully (rebalance), and clients drop their connections at random. Every session's
 * client log must equal the produced log for it, in order.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CesClient } from '@ces/gateway/client';
import { wsSocket } from '../../gateway/client/adapters/ws-socket.ts';
import { needs } from '../support/infra.ts';
import { createStream, newSession, sleep, spawnGateway, waitFor, wsUrlOn, type GatewayProcess, type Stream } from './delivery-support.ts';

const kafka = needs('kafka');
const redis = needs('redis');
const SESSIONS = 6;
const PER_SESSION = 40;

describe('delivery e2e chaos: gateway SIGKILL, restarts, rebalances, random disconnects', { skip: kafka.skip || redis.skip, timeout: 240_000 }, () => {
  let stream: Stream;
  const gateways: GatewayProcess[] = [];
  const clients: CesClient[] = [];

  before(async () => {
    stream = await createStream(kafka.value!.brokers);
    for (let i = 0; i < 3; i++) gateways.push(await spawnGateway(stream, redis.value!.url, kafka.value!.brokers));
  });
  after(async () => {
    for (const c of clients) c.close();
    for (const g of gateways) await g.kill('SIGKILL');
    await stream?.close();
  });

  it('every session receives exactly its produced log, in order', async () => {
    let turn = 0;
    const logs = new Map<string, number[]>();
    const ids: string[] = [];
    for (let i = 0; i < SESSIONS; i++) {
      const { sessionId } = await newSession(gateways[i % 3]!.url, `chaos-cust-${i}`);
      ids.push(sessionId);
      logs.set(sessionId, []);
      const client = new CesClient({
        // Without an ingress in front, the client itself rotates over the gateways that are up.
        url: () => {
          const alive = gateways.filter((g) => g.alive());
          return wsUrlOn(alive[turn++ % alive.length] ?? gateways[0]!, sessionId);
        },
        socket: wsSocket,
        backoff: { initialMs: 20, maxMs: 300 },
        ackDelayMs: 20,
        onMessage: (m) => logs.get(sessionId)!.push((m.data as { n: number }).n),
      });
      clients.push(client);
      client.connect();
    }
    await waitFor('clients connected', () => clients.every((c) => c.connected));

    let drops = 0;
    const dropper = setInterval(() => {
      clients[Math.floor(Math.random() * clients.length)]!.drop();
      drops++;
    }, 80);
    try {
      for (let n = 0; n < PER_SESSION; n++) {
        for (const id of ids) await stream.produce({ 'ces-session-id': id }, { n }, id);
        if (n === 10) await gateways[0]!.kill('SIGKILL');
        if (n === 18) await gateways[0]!.restart();
        if (n === 26) {
          await gateways[1]!.kill('SIGTERM');
          await gateways[1]!.restart();
        }
        await sleep(25);
      }
      await waitFor('every log complete', () => ids.every((id) => logs.get(id)!.length >= PER_SESSION), 120_000);
    } finally {
      clearInterval(dropper);
    }
    await sleep(300); // late duplicates would arrive now
    assert.ok(drops > 10, 'clients dropped connections during the run');
    const expected = Array.from({ length: PER_SESSION }, (_, n) => n);
    for (const id of ids) assert.deepEqual(logs.get(id), expected, `client log of ${id.slice(0, 6)}…`);
  });
});
