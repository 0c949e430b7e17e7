/**
 * The DeliveryHandler: what flows through an accepted socket. On open: subscribe every channel of
 * the session first, then read history after the resume position, then go live; one promise
 * chain per connection serialises replay and live entries, and a ChannelCursor per channel lets
 * each seq through once and in order. Gaps in the live stream are filled from history.
 * Guarantee per connection and channel: frames carry strictly increasing, gapless seqs within one
 * epoch, starting after the resume position (or with `recovered: false` in the welcome).
 */
import type { Logger } from 'pino';
import type { ClientFrame, ResumePositions, ServerFrame, WelcomeFrame } from '@ces/contracts/protocol';
import { PROTOCOL } from '@ces/contracts/protocol';
import type { ClientConnection, DeliveryHandler } from '../ports/delivery.ts';
import type { History } from '../ports/history.ts';
import type { EntryListener, Fanout } from '../ports/fanout.ts';
import type { SessionStore } from '../ports/session-store.ts';
import type { GatewayMetrics } from '../observability/metrics.ts';
import { ChannelCursor, planResume } from '../core/resume.ts';
import { channelsOf, roomChannel, sessionOfChannel } from '../core/channels.ts';
import { messageFrame } from '../core/envelope.ts';
import type { ChannelEntry } from '../core/record.ts';
import { ackKey, createAckWriter, currentEpochAcks } from './acks.ts';
import { startDeliverySpan } from '../observability/tracing.ts';
import type { ClientPublisher } from './publish.ts';

export interface ConnectionDeps {
  history: History;
  fanout: Fanout;
  sessions: Pick<SessionStore, 'saveAck' | 'getAcks'>;
  metrics: GatewayMetrics;
  logger: Logger;
  publisher: ClientPublisher;
  node: string;
  heartbeatIntervalMs: number;
  replayBatch: number;
  /** Acks are written at most this often per session and channel (acks.ts createAckWriter). */
  ackFlushMs: number;
}

interface ChannelState {
  cursor: ChannelCursor;
}

interface ConnState {
  conn: ClientConnection;
  channels: Map<string, ChannelState>;
  /** One live listener for all the connection's channels (entries name their channel). */
  listener: EntryListener;
  chain: Promise<void>;
  closed: boolean;
}

type DeliveryPath = 'live' | 'replay';

export function createConnectionHandler(deps: ConnectionDeps): DeliveryHandler & { resyncAll(): void; connectionCount(): number; flushAcks(): Promise<void> } {
  const conns = new Map<string, ConnState>();
  // A session's own channel keeps its ack in the channel's history meta (one write, read back
  // with the window, and what the overflow policy measures); shared channels (customer, room,
  // broadcast) keep theirs with the session, since one channel has many sessions.
  const ackWriter = createAckWriter(
    (sessionId, channel, epoch, seq) =>
      sessionOfChannel(channel) !== undefined ? deps.history.ack(channel, epoch, seq) : deps.sessions.saveAck(sessionId, ackKey(channel, epoch), seq),
    deps.ackFlushMs,
  );
  const flushAcks = (sessionId: string): Promise<void> =>
    ackWriter.flush(sessionId).catch((err: unknown) => deps.logger.warn({ err }, 'writing pending acks failed; retried with the next flush'));

  function enqueue(state: ConnState, task: () => Promise<void>): void {
    state.chain = state.chain.then(async () => {
      if (!state.closed) await task();
    }).catch((err: unknown) => {
      deps.logger.warn({ err, connId: state.conn.connId }, 'delivery to connection failed; closing for reconnect');
      closeWith(state, 'INTERNAL_RECONNECT');
    });
  }

  function closeWith(state: ConnState, code: 'INTERNAL_RECONNECT'): void {
    if (state.closed) return;
    state.conn.close(code);
    release(state);
  }

  function send(state: ConnState, frame: ServerFrame): boolean {
    if (state.closed) return false;
    const result = state.conn.send(frame);
    if (result === 'sent') return true;
    if (result === 'slow') deps.metrics.slowConsumerClosesTotal.inc();
    release(state);
    return false;
  }

  function deliverEntry(state: ConnState, entry: ChannelEntry, path: DeliveryPath): boolean {
    const span = startDeliverySpan(entry.message.traceId, { channel: entry.channel, seq: entry.seq, path });
    const sent = send(state, messageFrame(entry, state.conn.session.sessionId));
    span.end();
    if (!sent) return false;
    deps.metrics.messagesDeliveredTotal.inc();
    if (path === 'replay') deps.metrics.messagesReplayedTotal.inc();
    const sourceMs = Date.parse(entry.message.timestamp);
    if (sourceMs > 0) deps.metrics.deliveryLatencySeconds.observe({ path }, Math.max(0, Date.now() - sourceMs) / 1000);
    return true;
  }

  /** Sends history entries after the cursor until it reaches `upTo` (or the top). */
  async function catchUp(state: ConnState, channel: string, upTo: number, path: DeliveryPath): Promise<void> {
    const cs = state.channels.get(channel);
    while (cs && !state.closed && cs.cursor.last < upTo) {
      const { window, entries } = await deps.history.read(channel, cs.cursor.last, deps.replayBatch);
      if (window.epoch !== cs.cursor.epoch) return closeWith(state, 'INTERNAL_RECONNECT');
      if (entries.length === 0 || entries[0]!.seq > cs.cursor.last + 1) {
        // Trimmed while we were behind: the client resumes with recovered=false on reconnect.
        if (cs.cursor.last < window.top) closeWith(state, 'INTERNAL_RECONNECT');
        return;
      }
      for (const entry of entries) {
        if (cs.cursor.offer(entry.epoch, entry.seq) !== 'send') continue;
        if (!deliverEntry(state, entry, path)) return;
        // Let the socket flush between replayed frames: a backlog larger than the outbound queue
        // then streams out at the client's pace instead of tripping SLOW_CONSUMER on every resume.
        await new Promise((resolve) => setImmediate(resolve));
      }
      if (upTo === Infinity && cs.cursor.last >= window.top) return;
    }
  }

  async function onLive(state: ConnState, entry: ChannelEntry): Promise<void> {
    const cs = state.channels.get(entry.channel);
    if (!cs) return;
    const verdict = cs.cursor.offer(entry.epoch, entry.seq);
    if (verdict === 'send') deliverEntry(state, entry, 'live');
    else if (verdict === 'gap') await catchUp(state, entry.channel, entry.seq, 'live');
    else if (verdict === 'epoch_changed') closeWith(state, 'INTERNAL_RECONNECT');
  }

  async function subscribe(state: ConnState, channel: string): Promise<void> {
    // Placeholder cursor until the resume plan is known; live entries wait in the chain meanwhile.
    state.channels.set(channel, { cursor: new ChannelCursor('', 0) });
    await deps.fanout.subscribe(channel, state.listener);
  }

  function release(state: ConnState): void {
    if (state.closed) return;
    state.closed = true;
    conns.delete(state.conn.connId);
    for (const channel of state.channels.keys()) void deps.fanout.unsubscribe(channel, state.listener).catch(() => undefined);
    state.channels.clear();
  }

  // Outside open(): a closure created there would keep open's whole scope alive with the connection.
  function newState(conn: ClientConnection, chain: Promise<void>): ConnState {
    const state: ConnState = { conn, channels: new Map(), listener: (entry) => enqueue(state, () => onLive(state, entry)), chain, closed: false };
    return state;
  }

  /**
   * The welcome for a connection whose channels are subscribed: per channel, where replay starts
   * (stored ack or the client's position, current epoch only) and whether it recovered. Sets each
   * channel's cursor and returns the channels with history to replay (`behind`); the rest
   * skip the read (whatever is appended after their window reaches the subscribed listener, and a
   * gap in it is filled from history).
   */
  async function planChannels(state: ConnState, channels: readonly string[], resume: ResumePositions): Promise<{ welcome: WelcomeFrame; behind: string[] }> {
    const sessionId = state.conn.session.sessionId;
    // Acks this gateway still holds for the session (e.g. of the connection it replaces) count.
    await flushAcks(sessionId);
    const acks = await deps.sessions.getAcks(sessionId);
    const welcome: WelcomeFrame = {
      type: 'welcome',
      protocol: PROTOCOL,
      sessionId,
      node: deps.node,
      channels: [],
      recovered: true,
      heartbeatIntervalMs: deps.heartbeatIntervalMs,
    };
    const behind: string[] = [];
    let anyAck = Object.keys(acks).length > 0;
    for (const channel of channels) {
      const window = await deps.history.window(channel);
      const own = sessionOfChannel(channel) !== undefined;
      if (own && window.acked > 0) anyAck = true;
      const plan = planResume({
        channel,
        window,
        acked: own ? window.acked || undefined : currentEpochAcks(acks, window.epoch).get(channel),
        client: resume[channel],
        replayFromStart: own,
      });
      state.channels.get(channel)!.cursor = new ChannelCursor(window.epoch, plan.after);
      if (plan.after < window.top) behind.push(channel);
      welcome.channels.push(plan.state);
      if (!plan.state.recovered) welcome.recovered = false;
    }
    if (Object.keys(resume).length > 0 || anyAck) deps.metrics.resumesTotal.inc({ recovered: welcome.recovered ? 'true' : 'false' });
    return { welcome, behind };
  }

  async function open(conn: ClientConnection, resume: ResumePositions): Promise<WelcomeFrame> {
    let releaseGate!: () => void;
    const gate = new Promise<void>((resolve) => (releaseGate = resolve));
    const state = newState(conn, gate);
    conns.set(conn.connId, state);
    try {
      const channels = channelsOf(conn.session);
      for (const channel of channels) await subscribe(state, channel);
      const { welcome, behind } = await planChannels(state, channels, resume);
      // Replay runs first in the chain; live entries heard since subscribing queue behind it.
      state.chain = gate.then(async () => {
        for (const channel of behind) await catchUp(state, channel, Infinity, 'replay');
      });
      state.chain = state.chain.catch((err: unknown) => {
        deps.logger.warn({ err, connId: conn.connId }, 'replay failed; closing for reconnect');
        closeWith(state, 'INTERNAL_RECONNECT');
      });
      return welcome;
    } catch (err) {
      release(state);
      throw err;
    } finally {
      // The edge sends the welcome before any frame queued after this point.
      setImmediate(releaseGate);
    }
  }

  /** Validated against what this connection was sent; stored even if the socket closes meanwhile. */
  async function onAck(state: ConnState, channel: string, seq: number): Promise<void> {
    const cs = state.channels.get(channel);
    if (!cs || !Number.isSafeInteger(seq) || seq < 0) {
      send(state, { type: 'error', code: 'INVALID_REQUEST', message: 'ack names an unknown channel or an invalid seq' });
      return;
    }
    const acked = Math.min(seq, cs.cursor.last);
    const epoch = cs.cursor.epoch;
    await ackWriter.store(state.conn.session.sessionId, channel, epoch, acked);
  }

  async function onRoom(state: ConnState, type: 'subscribe' | 'unsubscribe', room: string): Promise<void> {
    const channel = roomChannel(room);
    if (!state.conn.session.rooms.includes(room)) {
      send(state, { type: 'error', code: 'UNAUTHORIZED', message: 'room not allowed for this session' });
      return;
    }
    const cs = state.channels.get(channel);
    if (type === 'unsubscribe' && cs) {
      state.channels.delete(channel);
      await deps.fanout.unsubscribe(channel, state.listener);
    } else if (type === 'subscribe' && !cs) {
      await subscribe(state, channel);
      const window = await deps.history.window(channel);
      state.channels.get(channel)!.cursor = new ChannelCursor(window.epoch, window.top);
    }
  }

  async function frame(conn: ClientConnection, f: ClientFrame): Promise<void> {
    const state = conns.get(conn.connId);
    if (!state) return;
    switch (f.type) {
      case 'ack':
        // Not queued behind deliveries: a final ack sent just before the client closes must count.
        return onAck(state, f.channel, f.seq);
      case 'publish': {
        const reply = await deps.publisher.publish(conn.session, f);
        send(state, reply);
        return;
      }
      case 'subscribe':
      case 'unsubscribe':
        return enqueue(state, () => onRoom(state, f.type, f.room));
      case 'ping':
        send(state, f.id === undefined ? { type: 'pong' } : { type: 'pong', id: f.id });
        return;
    }
  }

  return {
    open,
    frame,
    close(conn) {
      const state = conns.get(conn.connId);
      if (state) release(state);
      void flushAcks(conn.session.sessionId);
    },
    flushAcks: () => ackWriter.flushAll(),
    /** After the live link was interrupted: every connection catches up from history. */
    resyncAll() {
      for (const state of conns.values()) {
        for (const channel of state.channels.keys()) enqueue(state, () => catchUp(state, channel, Infinity, 'live'));
      }
    },
    connectionCount: () => conns.size,
  };
}
