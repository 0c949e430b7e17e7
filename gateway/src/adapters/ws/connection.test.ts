/**
 * ClientConnection as delivery sees it, through a real socket: the welcome frame goes first even
 * when delivery sends while opening; frames keep call order; a client that does not read closes
 * SLOW_CONSUMER (4001) with send() answering 'slow'; sends after close answer 'closed'.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { PROTOCOL, type ClientFrame, type MessageFrame } from '@ces/contracts/protocol';
import type { ClientConnection, DeliveryHandler } from '../../ports/delivery.ts';
import { startGateway, type StartedGateway } from '../../testing/start-gateway.ts';
import { mustOpen } from './test-client.ts';

function message(seq: number, data: unknown = {}): MessageFrame {
  return { type: 'message', messageId: `t-0-${seq}`, sessionId: 's', timestamp: new Date(0).toISOString(), data, source: 't', channel: '*', seq, epoch: 'e' };
}

/** A delivery stand-in: records what the edge passes and lets the test push frames. */
function probeDelivery() {
  const conns: ClientConnection[] = [];
  const frames: ClientFrame[] = [];
  const results: string[] = [];
  const handler: DeliveryHandler = {
    async open(conn) {
      conns.push(conn);
      for (let seq = 1; seq <= 3; seq++) results.push(conn.send(message(seq)));
      return { type: 'welcome', protocol: PROTOCOL, sessionId: conn.session.sessionId, node: 'probe', channels: [], recovered: true, heartbeatIntervalMs: 1000 };
    },
    async frame(_conn, frame) {
      frames.push(frame);
    },
    close() {},
  };
  return { conns, frames, results, delivery: { handler, start: async () => {}, stop: async () => {}, ready: () => true } };
}

describe('WsConnection', () => {
  const started: StartedGateway[] = [];
  after(() => Promise.all(started.map((g) => g.stop())));

  it('sends the welcome before frames delivery sent while opening, then keeps call order; passes client frames on', async () => {
    const probe = probeDelivery();
    const gw = await startGateway({}, { delivery: probe.delivery });
    started.push(gw);
    const s = await mustOpen(`${gw.wsUrl}/ws/${await gw.newSession({ customerId: 'c', rooms: ['lobby'] })}`);
    await s.next((f) => f.type === 'message' && f.seq === 3);
    assert.deepEqual(s.frames.map((f) => (f.type === 'message' ? f.seq : f.type)), ['welcome', 1, 2, 3]);
    assert.deepEqual(probe.results, ['sent', 'sent', 'sent']);
    assert.deepEqual([probe.conns[0]!.session.customerId, probe.conns[0]!.session.rooms], ['c', ['lobby']]);
    s.ws.send(JSON.stringify({ type: 'ack', channel: '*', seq: 3 }));
    s.ws.send(JSON.stringify({ type: 'subscribe', room: 'lobby' }));
    s.ws.send(JSON.stringify({ type: 'ping' }));
    await s.next((f) => f.type === 'pong');
    assert.deepEqual(probe.frames, [{ type: 'ack', channel: '*', seq: 3 }, { type: 'subscribe', room: 'lobby' }]);
    s.ws.close();
    await s.closed;
    assert.equal(probe.conns[0]!.send(message(4)), 'closed');
    assert.equal(probe.conns[0]!.isOpen, false);
  });

  it('closes a client that stops reading with 4001 once the outbound queue passes its byte bound', async () => {
    const probe = probeDelivery();
    const gw = await startGateway({ ws: { outboundQueueMaxBytes: 64 * 1024 } }, { delivery: probe.delivery });
    started.push(gw);
    const id = await gw.newSession();
    // A raw client that completes the handshake and then never reads: the kernel buffers fill up.
    const socket = net.connect(gw.port, '127.0.0.1');
    await once(socket, 'connect');
    socket.write(`GET /ws/${id} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    await once(socket, 'data');
    socket.pause();
    while (probe.conns.length === 0) await new Promise((r) => setTimeout(r, 10));
    const conn = probe.conns[0]!;
    const payload = 'x'.repeat(16 * 1024);
    let result: string = 'sent';
    for (let i = 0; i < 100_000 && result === 'sent'; i++) {
      result = conn.send(message(10 + i, payload));
      if (i % 64 === 0) await new Promise((r) => setImmediate(r));
    }
    assert.equal(result, 'slow');
    assert.equal(conn.isOpen, false);
    assert.equal(conn.send(message(1)), 'closed');
    socket.destroy();
  });
});
