/**
 * One accepted socket as delivery sees it (ports/delivery.ts ClientConnection).
 * Guarantees: frames leave in call order; the welcome frame is always first (frames sent while
 * the handler opens are held until it is sent); bytes handed to the socket but not yet flushed
 * are bounded by `outboundQueueMaxBytes` — a send over the bound closes SLOW_CONSUMER and
 * returns 'slow'; close() is idempotent and the first code wins.
 * Memory: an idle connection holds no closures of its own. The socket listeners are module
 * functions shared by every connection (ws calls them with the socket as `this`, which carries
 * its WsConnection), and what the server does with the events is one object per server.
 */
import type { Duplex } from 'node:stream';
import type { RawData, WebSocket } from 'ws';
import { CloseCodes, type CloseCodeName } from '@ces/contracts/close-codes';
import type { ServerFrame, WelcomeFrame } from '@ces/contracts/protocol';
import type { ClientConnection, SessionIdentity } from '../../ports/delivery.ts';

/** If the peer does not complete the closing handshake in this time, the socket is destroyed. */
const CLOSE_HANDSHAKE_MS = 2000;

/** What the server does on a connection's socket events; one object per server, shared by its connections. */
export interface ConnectionEvents {
  message(conn: WsConnection, data: RawData, isBinary: boolean): void;
  /** The socket closed, for any reason; runs once. */
  close(conn: WsConnection, code: number): void;
  /** A send overflowed the outbound queue; the connection is closing SLOW_CONSUMER. */
  slow(conn: WsConnection): void;
}

const OWNER = Symbol('WsConnection');
type OwnedSocket = WebSocket & { [OWNER]: WsConnection };
const ownerOf = (ws: WebSocket): WsConnection => (ws as OwnedSocket)[OWNER];

function wsOnPong(this: WebSocket): void {
  ownerOf(this).alive = true;
}
function wsOnMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
  const conn = ownerOf(this);
  conn.events.message(conn, data, isBinary);
}
function wsOnClose(this: WebSocket, code: number): void {
  const conn = ownerOf(this);
  conn.events.close(conn, code);
}
/** Socket errors end in 'close', which decides; without a listener they would crash the process. */
function wsOnError(): void {}

/**
 * Write coalescing: a socket written to is corked until the event loop's next check phase, so the
 * frames one turn produces for a connection (a Kafka batch often carries several for one session)
 * leave in one writev instead of one syscall each. Order is unchanged; the delay is the rest of
 * the current loop turn.
 */
const corked = new Set<Duplex>();
let uncorkScheduled = false;
function uncorkAll(): void {
  uncorkScheduled = false;
  for (const socket of corked) socket.uncork();
  corked.clear();
}
function corkForThisTurn(socket: Duplex): void {
  if (corked.has(socket)) return;
  socket.cork();
  corked.add(socket);
  if (!uncorkScheduled) {
    uncorkScheduled = true;
    setImmediate(uncorkAll);
  }
}

export class WsConnection implements ClientConnection {
  readonly connId: string;
  readonly session: SessionIdentity;
  readonly events: ConnectionEvents;
  readonly #ws: WebSocket;
  readonly #socket: Duplex;
  readonly #maxQueuedBytes: number;
  #queuedBytes = 0;
  #held: string[] | undefined = [];
  /** The close code we chose (sent, or recorded for terminate()), for audit and metrics. */
  closeCode: number | undefined;
  /** Heartbeat: set on pong, cleared on ping. */
  alive = true;
  invalidFrames = 0;
  /** True once this connection is recorded as its session's holder; the heartbeat recheck waits for it. */
  claimed = false;
  /** True once delivery was asked to open this connection (so it must be told when it closes). */
  opened = false;
  #windowStart = 0;
  #framesInWindow = 0;

  constructor(ws: WebSocket, socket: Duplex, connId: string, session: SessionIdentity, maxQueuedBytes: number, events: ConnectionEvents) {
    this.#ws = ws;
    this.#socket = socket;
    this.connId = connId;
    this.session = session;
    this.events = events;
    this.#maxQueuedBytes = maxQueuedBytes;
    (ws as OwnedSocket)[OWNER] = this;
    ws.on('pong', wsOnPong);
    ws.on('message', wsOnMessage);
    ws.on('error', wsOnError);
    ws.on('close', wsOnClose);
  }

  get isOpen(): boolean {
    return this.closeCode === undefined && this.#ws.readyState === this.#ws.OPEN;
  }

  /** The socket has closed ('close' was emitted). */
  get closed(): boolean {
    return this.#ws.readyState === this.#ws.CLOSED;
  }

  send(frame: ServerFrame): 'sent' | 'slow' | 'closed' {
    if (!this.isOpen) return 'closed';
    const data = JSON.stringify(frame);
    const bytes = Buffer.byteLength(data);
    if (this.#queuedBytes + bytes > this.#maxQueuedBytes) {
      this.events.slow(this);
      this.close('SLOW_CONSUMER');
      return 'slow';
    }
    this.#queuedBytes += bytes;
    if (this.#held) this.#held.push(data);
    else this.#write(data, bytes);
    return 'sent';
  }

  /** Sends the welcome, then everything held while the handler opened the connection. */
  welcome(frame: WelcomeFrame): void {
    const held = this.#held ?? [];
    this.#held = undefined;
    if (!this.isOpen) return;
    this.#ws.send(JSON.stringify(frame));
    for (const data of held) this.#write(data, Buffer.byteLength(data));
  }

  #write(data: string, bytes: number): void {
    corkForThisTurn(this.#socket);
    // The callback runs once the bytes are flushed to the kernel (or the socket failed).
    this.#ws.send(data, () => {
      this.#queuedBytes -= bytes;
    });
  }

  close(code: CloseCodeName): void {
    if (this.closeCode !== undefined) return;
    const entry = CloseCodes[code];
    this.closeCode = entry.code;
    if (this.#ws.readyState === this.#ws.OPEN || this.#ws.readyState === this.#ws.CONNECTING) {
      this.#ws.close(entry.code, entry.reason);
      const timer = setTimeout(() => this.#ws.terminate(), CLOSE_HANDSHAKE_MS);
      timer.unref();
      this.#ws.once('close', () => clearTimeout(timer));
    }
  }

  /** Drops the TCP connection without a closing handshake (dead peer); records `code` as the reason. */
  terminate(code: CloseCodeName): void {
    this.closeCode ??= CloseCodes[code].code;
    this.#ws.terminate();
  }

  ping(): void {
    this.alive = false;
    this.#ws.ping();
  }

  /** Counts a client frame against a per-second budget; false when over it. */
  withinFrameRate(limitPerSecond: number, now: number): boolean {
    if (limitPerSecond <= 0) return true;
    if (now - this.#windowStart >= 1000) {
      this.#windowStart = now;
      this.#framesInWindow = 0;
    }
    return ++this.#framesInWindow <= limitPerSecond;
  }
}
