import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { MessageFrame } from '@ces/contracts/protocol';
import { CesClient, backoffDelay } from './index.ts';
import type { SocketFactory, SocketHandlers } from './adapters/socket.ts';

interface FakeServer {
  urls: string[];
  sent: unknown[];
  handlers(): SocketHandlers;
}

function fakeSockets(): { factory: SocketFactory; server: FakeServer } {
  const server: FakeServer & { current?: SocketHandlers } = {
    urls: [],
    sent: [],
    handlers: () => server.current!,
  };
  const factory: SocketFactory = (url, _protocol, handlers) => {
    server.urls.push(url);
    server.current = handlers;
    return { send: (text) => server.sent.push(JSON.parse(text)), close: () => undefined };
  };
  return { factory, server };
}

const msg = (channel: string, seq: number, epoch = 'E'): MessageFrame => ({
  type: 'message', messageId: `m${seq}`, sessionId: 'S', timestamp: new Date(0).toISOString(), data: seq,
  source: 't', channel, seq, epoch,
});
const welcome = (channels: { channel: string; seq: number; epoch: string; recovered: boolean }[]) =>
  JSON.stringify({ type: 'welcome', protocol: 'ces.v1', sessionId: 'S', node: 'n', channels, recovered: channels.every((c) => c.recovered), heartbeatIntervalMs: 1000 });
const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

describe('CesClient', () => {
  it('hands each seq to the app once, in order, acks cumulatively, and resumes after a reconnect', async () => {
    const { factory, server } = fakeSockets();
    const got: number[] = [];
    const client = new CesClient({ url: 'ws://gw/ws/S', socket: factory, backoff: { initialMs: 1, maxMs: 2 }, ackDelayMs: 1, onMessage: (m) => got.push(m.seq) });
    client.connect();
    server.handlers().onMessage(welcome([{ channel: 's:S', seq: 0, epoch: 'E', recovered: true }]));
    for (const seq of [1, 2, 2, 1, 3]) server.handlers().onMessage(JSON.stringify(msg('s:S', seq)));
    await tick();
    assert.deepEqual(got, [1, 2, 3]);
    assert.deepEqual(server.sent, [{ type: 'ack', channel: 's:S', seq: 3 }]);
    server.handlers().onClose(4001, 'slow');
    await tick(20);
    const resume = new URL(server.urls[1]!).searchParams.get('resume')!;
    assert.deepEqual(JSON.parse(Buffer.from(resume, 'base64url').toString()), { 's:S': { seq: 3, epoch: 'E' } });
    server.handlers().onMessage(welcome([{ channel: 's:S', seq: 4, epoch: 'E', recovered: true }]));
    server.handlers().onMessage(JSON.stringify(msg('s:S', 3)));
    server.handlers().onMessage(JSON.stringify(msg('s:S', 4)));
    assert.deepEqual(got, [1, 2, 3, 4]);
    client.close();
  });

  it('reports a gap and accepts the new epoch from seq 1 after history loss', async () => {
    const { factory, server } = fakeSockets();
    const got: string[] = [];
    const gaps: string[] = [];
    const client = new CesClient({
      url: 'ws://gw/ws/S', socket: factory, positions: { 'c:C': { seq: 9, epoch: 'OLD' } },
      onMessage: (m) => got.push(`${m.epoch}:${m.seq}`), onGap: (c) => gaps.push(c.channel),
    });
    client.connect();
    server.handlers().onMessage(welcome([{ channel: 'c:C', seq: 2, epoch: 'NEW', recovered: false }]));
    server.handlers().onMessage(JSON.stringify(msg('c:C', 1, 'NEW')));
    server.handlers().onMessage(JSON.stringify(msg('c:C', 2, 'NEW')));
    assert.deepEqual(gaps, ['c:C']);
    assert.deepEqual(got, ['NEW:1', 'NEW:2']);
    client.close();
  });

  it('stops on a terminal close code and fails pending publishes', async () => {
    const { factory, server } = fakeSockets();
    let terminal = 0;
    const client = new CesClient({ url: 'ws://gw/ws/S', socket: factory, onMessage: () => undefined, onTerminal: (code) => (terminal = code) });
    client.connect();
    const pending = client.publish('e', 1, 'id-1');
    server.handlers().onClose(4502, 'revoked');
    await assert.rejects(pending);
    await tick(20);
    assert.equal(terminal, 4502);
    assert.equal(server.urls.length, 1);
  });

  it('re-sends an unanswered publish with the same id after reconnecting', async () => {
    const { factory, server } = fakeSockets();
    const client = new CesClient({ url: 'ws://gw/ws/S', socket: factory, backoff: { initialMs: 1, maxMs: 1 }, onMessage: () => undefined });
    client.connect();
    server.handlers().onMessage(welcome([]));
    const result = client.publish('e', { a: 1 }, 'p-7');
    server.handlers().onClose(4000, 'shutdown');
    await tick(20);
    server.handlers().onMessage(welcome([]));
    server.handlers().onMessage(JSON.stringify({ type: 'published', id: 'p-7', topic: 'in', partition: 0, offset: '5', duplicate: true }));
    assert.equal((await result).offset, '5');
    assert.deepEqual(server.sent.filter((f) => (f as { type: string }).type === 'publish').map((f) => (f as { id: string }).id), ['p-7', 'p-7']);
    client.close();
  });

  it('backoff is jittered and capped', () => {
    assert.equal(backoffDelay(0, { initialMs: 100, maxMs: 1000 }, () => 0.999), 99);
    assert.equal(backoffDelay(20, { initialMs: 100, maxMs: 1000 }, () => 0.999), 999);
    assert.equal(backoffDelay(3, { initialMs: 100, maxMs: 1000 }, () => 0), 0);
  });
});
