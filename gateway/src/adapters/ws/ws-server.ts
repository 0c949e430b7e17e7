/**
 * The WebSocket side of the gateway: `upgrade` → admit (upgrade-guard.ts) → handshake (ws,
 * noServer) → claim the session's holder (older connection, here or on another gateway, closes
 * TAKEN_OVER) → delivery handler opens → welcome first. Then: client frames (strict parse, size
 * bound, rate, abuse limit; ping answered here, the rest to delivery), a heartbeat sweep
 * (terminate peers that missed a pong, refresh session TTLs, close connections whose session was
 * revoked/expired/taken over meanwhile), and drain on shutdown.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import { closeCodeLabel } from '@ces/contracts/metrics';
import type { CloseCodeName } from '@ces/contracts/close-codes';
import { PROTOCOL, type ResumePositions } from '@ces/contracts/protocol';
import type { GatewayConfig } from '../../config/load.ts';
import { GatewayError, isGatewayError } from '../../errors.ts';
import type { GatewayMetrics } from '../../observability/metrics.ts';
import { fingerprint, type Logger } from '../../observability/logger.ts';
import type { ControlBus, KickMessage } from '../../ports/control-bus.ts';
import type { DeliveryHandler } from '../../ports/delivery.ts';
import type { RateLimiter } from '../../ports/rate-limiter.ts';
import type { Holder, Session, SessionStore } from '../../ports/session-store.ts';
import { FrameErrorCodes, parseClientFrame, type FrameErrorCode } from './client-frames.ts';
import { WsConnection, type ConnectionEvents } from './connection.ts';
import { admit, refuse, UPGRADE_OUTCOMES } from './upgrade-guard.ts';

export interface WsServerDeps {
  config: GatewayConfig;
  logger: Logger;
  metrics: GatewayMetrics;
  sessions: SessionStore;
  bus: ControlBus;
  handler: DeliveryHandler;
  connectLimiter: RateLimiter;
}

/**
 * Session rechecks a heartbeat sweep keeps in flight. All at once, a sweep over N idle connections
 * would hold N sets of Redis commands and replies at the same moment: enough short-lived objects to
 * survive scavenges and grow the old generation by kilobytes per connection on every sweep.
 */
const RECHECK_CONCURRENCY = 64;

/** Until the handshake completes, a socket error just ends the socket. */
function socketOnError(this: Duplex): void {
  this.destroy();
}

export class WsServer {
  readonly #deps: WsServerDeps;
  readonly #log: Logger;
  readonly #wss: WebSocketServer;
  readonly #connections = new Map<string, WsConnection>();
  readonly #events: ConnectionEvents = {
    message: (conn, data, isBinary) => this.#onMessage(conn, data, isBinary),
    close: (conn, code) => this.#onClose(conn, code),
    slow: () => this.#deps.metrics.slowConsumerClosesTotal.inc(),
  };
  #heartbeat: NodeJS.Timeout | undefined;
  #draining = false;
  #sweeping = false;

  constructor(deps: WsServerDeps) {
    this.#deps = deps;
    this.#log = deps.logger.child({ component: 'ws' });
    this.#wss = new WebSocketServer({
      noServer: true,
      // Frames over maxFrameBytes close 4504 in onMessage; far larger ones are cut off unread (1009).
      maxPayload: deps.config.ws.maxFrameBytes * 2,
      perMessageDeflate: false,
      // #connections tracks the sockets; ws's own set would cost a closure and an entry per connection.
      clientTracking: false,
      handleProtocols: (protocols) => (protocols.has(PROTOCOL) ? PROTOCOL : false),
    });
  }

  get size(): number {
    return this.#connections.size;
  }
  get draining(): boolean {
    return this.#draining;
  }

  attach(server: Server): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => void this.#onUpgrade(req, socket, head));
  }

  async start(): Promise<void> {
    await this.#deps.bus.listen(this.#deps.config.node, (m) => this.#onKick(m));
    this.#heartbeat = setInterval(() => void this.#sweep(), this.#deps.config.ws.heartbeatIntervalMs);
    this.#heartbeat.unref();
  }

  /** Closes the live connection `holder` of a session, on this gateway or through the bus. */
  async kick(holder: Holder, code: CloseCodeName): Promise<void> {
    if (holder.node === this.#deps.config.node) this.#onKick({ kind: 'kick', connId: holder.connId, code });
    else await this.#deps.bus.send(holder.node, { kind: 'kick', connId: holder.connId, code });
  }

  /** Refuses new upgrades, closes every socket with SHUTDOWN_RECONNECT, waits (bounded) for them to go. */
  async drain(graceMs: number): Promise<void> {
    this.#draining = true;
    for (const conn of this.#connections.values()) conn.close('SHUTDOWN_RECONNECT');
    const deadline = Date.now() + graceMs;
    while (this.#connections.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    for (const conn of this.#connections.values()) conn.terminate('SHUTDOWN_RECONNECT');
  }

  async stop(): Promise<void> {
    this.#draining = true;
    clearInterval(this.#heartbeat);
    await this.#deps.bus.close();
    for (const conn of this.#connections.values()) conn.terminate('SHUTDOWN_RECONNECT');
    this.#wss.close();
  }

  async #onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', socketOnError);
    const ip = req.socket.remoteAddress ?? 'unknown';
    const { metrics } = this.#deps;
    try {
      const admitted = await admit(req, ip, {
        sessions: this.#deps.sessions,
        connectLimiter: this.#deps.connectLimiter,
        allowedOrigins: this.#deps.config.ws.allowedOrigins,
        isDraining: () => this.#draining,
      });
      if (socket.destroyed) return;
      this.#wss.handleUpgrade(req, socket, head, (ws) => {
        socket.off('error', socketOnError); // the WebSocket handles socket errors from here on
        void this.#accept(ws, socket, admitted.session, admitted.resume, ip);
      });
    } catch (err) {
      const gwErr = isGatewayError(err) ? err : new GatewayError('UNAVAILABLE', { cause: err });
      metrics.upgradesTotal.inc({ outcome: UPGRADE_OUTCOMES[gwErr.code] ?? 'unauthorized' });
      const session = /^\/ws\/([A-Za-z0-9_-]{1,128})/.exec(req.url ?? '')?.[1];
      this.#log.info({ event: 'connect_refused', errorCode: gwErr.code, status: gwErr.status, session: session && fingerprint(session), ip, ...(gwErr.status >= 500 ? { err } : {}) }, 'upgrade refused');
      refuse(socket, gwErr);
    }
  }

  async #accept(ws: WebSocket, socket: Duplex, session: Session, resume: ResumePositions, ip: string): Promise<void> {
    const { config, metrics, handler, sessions } = this.#deps;
    const identity = { sessionId: session.sessionId, customerId: session.customerId, rooms: session.rooms, expiresAt: session.expiresAt };
    const conn = new WsConnection(ws, socket, randomUUID(), identity, config.ws.outboundQueueMaxBytes, this.#events);
    const fp = fingerprint(session.sessionId);
    this.#connections.set(conn.connId, conn);
    metrics.upgradesTotal.inc({ outcome: 'accepted' });
    metrics.connections.inc();
    try {
      const previous = await sessions.claimHolder(session.sessionId, { node: config.node, connId: conn.connId });
      conn.claimed = true;
      // The client left while we claimed: undo the claim so the session does not look connected.
      if (conn.closed) return await sessions.releaseHolder(session.sessionId, conn.connId);
      if (previous && previous.connId !== conn.connId) await this.kick(previous, 'TAKEN_OVER');
      this.#log.info({ event: 'connect', session: fp, connId: conn.connId, ip, tookOver: Boolean(previous) }, 'connection accepted');
      conn.opened = true;
      const welcome = await handler.open(conn, resume);
      conn.welcome(welcome);
    } catch (err) {
      this.#log.error({ err, session: fp, connId: conn.connId }, 'opening the connection failed');
      conn.close('INTERNAL_RECONNECT');
    }
  }

  #onClose(conn: WsConnection, code: number): void {
    const { metrics, handler, sessions } = this.#deps;
    this.#connections.delete(conn.connId);
    metrics.connections.dec();
    const closeCode = conn.closeCode ?? code;
    metrics.disconnectsTotal.inc({ code: closeCodeLabel(closeCode) });
    this.#log.info({ event: 'disconnect', session: fingerprint(conn.session.sessionId), connId: conn.connId, code: closeCode }, 'connection closed');
    if (conn.opened) handler.close(conn);
    sessions.releaseHolder(conn.session.sessionId, conn.connId).catch(() => {});
  }

  #onMessage(conn: WsConnection, data: RawData, isBinary: boolean): void {
    const { config, metrics, handler } = this.#deps;
    if (!conn.isOpen) return;
    const bytes = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data instanceof ArrayBuffer ? data.byteLength : data.length;
    if (bytes > config.ws.maxFrameBytes) return conn.close('FRAME_TOO_LARGE');
    if (!conn.withinFrameRate(config.rateLimit.framesPerSessionPerSecond, Date.now())) return conn.close('TRY_LATER');
    if (isBinary) return this.#invalid(conn, 'BINARY_NOT_SUPPORTED', FrameErrorCodes.BINARY_NOT_SUPPORTED);
    const frame = parseClientFrame(Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(data as Buffer[]).toString('utf8'));
    if ('invalid' in frame) return this.#invalid(conn, frame.code, frame.message, frame.id);
    metrics.clientFramesTotal.inc({ type: frame.type });
    if (frame.type === 'ping') {
      conn.send(frame.id === undefined ? { type: 'pong' } : { type: 'pong', id: frame.id });
      return;
    }
    handler.frame(conn, frame).catch((err: unknown) => {
      this.#log.warn({ err, connId: conn.connId, type: frame.type }, 'frame handling failed');
      conn.send({ type: 'error', code: 'INTERNAL', message: FrameErrorCodes.INTERNAL, ...('id' in frame && frame.id ? { id: frame.id } : {}) });
    });
  }

  /** Answers an invalid frame with an error frame; past maxInvalidFrames the socket closes PROTOCOL_ERROR. */
  #invalid(conn: WsConnection, code: FrameErrorCode, message: string, id?: string): void {
    this.#deps.metrics.clientFramesTotal.inc({ type: 'invalid' });
    conn.invalidFrames++;
    if (conn.invalidFrames > this.#deps.config.ws.maxInvalidFrames) return conn.close('PROTOCOL_ERROR');
    conn.send({ type: 'error', code, message, ...(id ? { id } : {}) });
  }

  #onKick(message: KickMessage): void {
    const conn = this.#connections.get(message.connId);
    if (!conn) return;
    this.#log.info({ event: 'kick', session: fingerprint(conn.session.sessionId), connId: conn.connId, code: message.code }, 'closing connection on request');
    conn.close(message.code);
  }

  /** One heartbeat pass over every connection of this gateway. */
  async #sweep(): Promise<void> {
    const conns = [...this.#connections.values()];
    for (const conn of conns) {
      if (!conn.alive) conn.terminate('HEARTBEAT_TIMEOUT');
      else conn.ping();
    }
    // Pings go out every interval; rechecks skip one while the previous pass is still running.
    if (this.#sweeping) return;
    this.#sweeping = true;
    try {
      // Unclaimed connections are still being accepted: their holder record is not written yet.
      const due = conns.filter((c) => c.claimed);
      let next = 0;
      const lane = async (): Promise<void> => {
        while (next < due.length) {
          const conn = due[next++]!;
          if (conn.isOpen) await this.#recheck(conn);
        }
      };
      await Promise.all(Array.from({ length: Math.min(RECHECK_CONCURRENCY, due.length) }, lane));
    } finally {
      this.#sweeping = false;
    }
  }

  /** Refreshes the session TTL and closes the connection when the session moved on without us. */
  async #recheck(conn: WsConnection): Promise<void> {
    try {
      const session = await this.#deps.sessions.get(conn.session.sessionId);
      if (!session || session.state === 'expired') return conn.close('EXPIRED');
      if (session.state === 'revoked') return conn.close('REVOKED');
      if (session.holder && session.holder.connId !== conn.connId) return conn.close('TAKEN_OVER');
      await this.#deps.sessions.refresh(conn.session.sessionId);
    } catch (err) {
      // Store unreachable: keep the connection; the next sweep retries.
      this.#log.warn({ err }, 'session refresh failed');
    }
  }
}
