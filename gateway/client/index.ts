/**
 * The CES TypeScript client: connect, resume, ack, de-duplicate, reconnect.
 *
 * What it guarantees to the application (with the gateway's guarantees, docs/delivery.md):
 * - `onMessage` sees each (channel, epoch, seq) at most once and in increasing seq order;
 * - after a reconnect it resumes after the last seq it handed to the application, so nothing in
 *   history is skipped; when the server says `recovered: false` the gap is reported to
 *   `onGap` (reload from your source of truth);
 * - acks are cumulative per channel, sent after `onMessage` returned (debounced);
 * - it reconnects with jittered exponential backoff unless the close code is terminal
 *   (4500–4999: re-register), which is reported to `onTerminal`.
 */
import type { ChannelState, MessageFrame, PublishResultFrame, ResumePositions, ServerFrame, WelcomeFrame } from '@ces/contracts/protocol';
import { PROTOCOL } from '@ces/contracts/protocol';
import { shouldReconnect } from '@ces/contracts/close-codes';
import { browserSocket, type ClientSocket, type SocketFactory } from './adapters/socket.ts';
import { backoffDelay, type BackoffOptions } from './backoff.ts';

export interface CesClientOptions {
  /** WebSocket URL of the session, e.g. the `websocketUrl` from POST /api/register; a function is asked again on every (re)connect (e.g. to rotate over gateways without a load balancer). */
  url: string | (() => string);
  socket?: SocketFactory;
  backoff?: BackoffOptions;
  /** Debounce of cumulative acks. */
  ackDelayMs?: number;
  /** Positions from an earlier run (e.g. persisted by the app). */
  positions?: ResumePositions;
  onMessage(frame: MessageFrame): void;
  onWelcome?(frame: WelcomeFrame): void;
  onGap?(channel: ChannelState): void;
  onTerminal?(code: number, reason: string): void;
  onError?(frame: ServerFrame): void;
}

export class CesClient {
  #options: CesClientOptions;
  #socket: ClientSocket | undefined;
  #positions: ResumePositions;
  #pendingAcks = new Map<string, number>();
  #ackTimer: ReturnType<typeof setTimeout> | undefined;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  #attempt = 0;
  #stopped = false;
  #connected = false;
  #publishes = new Map<string, { frame: string; resolve(r: PublishResultFrame): void; reject(e: Error): void }>();

  constructor(options: CesClientOptions) {
    this.#options = options;
    this.#positions = { ...options.positions };
  }

  /** Last seq and epoch handed to the application, per channel. */
  get positions(): ResumePositions {
    return structuredClone(this.#positions);
  }
  get connected(): boolean {
    return this.#connected;
  }

  connect(): void {
    this.#stopped = false;
    const url = new URL(typeof this.#options.url === 'function' ? this.#options.url() : this.#options.url);
    if (Object.keys(this.#positions).length > 0) url.searchParams.set('resume', base64url(JSON.stringify(this.#positions)));
    this.#socket = (this.#options.socket ?? browserSocket)(url.toString(), PROTOCOL, {
      onOpen: () => undefined,
      onMessage: (text) => this.#onFrame(text),
      onClose: (code, reason) => this.#onClose(code, reason),
    });
  }

  /** Stops for good (no reconnect); pending acks are flushed first. */
  close(): void {
    this.#stopped = true;
    this.#flushAcks();
    clearTimeout(this.#reconnectTimer);
    this.#socket?.close(1000, 'client closed');
  }

  /** Drops the current connection as a network failure would; the client reconnects and resumes. */
  drop(): void {
    this.#flushAcks();
    this.#socket?.close(4005, 'client dropped the connection');
  }

  /** Publishes to the inbound topic; resent with the same id after a reconnect until answered. */
  publish(event: string, data: unknown, id: string = crypto.randomUUID()): Promise<PublishResultFrame> {
    const frame = JSON.stringify({ type: 'publish', id, event, data });
    return new Promise((resolve, reject) => {
      this.#publishes.set(id, { frame, resolve, reject });
      if (this.#connected) this.#socket?.send(frame);
    });
  }

  #onFrame(text: string): void {
    let frame: ServerFrame;
    try {
      frame = JSON.parse(text) as ServerFrame;
    } catch {
      return;
    }
    switch (frame.type) {
      case 'welcome':
        return this.#onWelcome(frame);
      case 'message':
        return this.#onMessage(frame);
      case 'published': {
        const pending = this.#publishes.get(frame.id);
        this.#publishes.delete(frame.id);
        return pending?.resolve(frame);
      }
      case 'error':
        if (frame.id !== undefined && frame.code === 'INVALID_REQUEST') {
          this.#publishes.get(frame.id)?.reject(new Error(frame.message));
          this.#publishes.delete(frame.id);
        }
        return this.#options.onError?.(frame);
      default:
        return;
    }
  }

  #onWelcome(frame: WelcomeFrame): void {
    this.#connected = true;
    this.#attempt = 0;
    for (const channel of frame.channels) {
      if (!channel.recovered) this.#options.onGap?.(channel);
      // A new epoch restarts seq numbering: the old position means nothing any more.
      if (this.#positions[channel.channel]?.epoch !== channel.epoch) delete this.#positions[channel.channel];
    }
    this.#options.onWelcome?.(frame);
    for (const pending of this.#publishes.values()) this.#socket?.send(pending.frame);
  }

  #onMessage(frame: MessageFrame): void {
    const known = this.#positions[frame.channel];
    if (known && known.epoch === frame.epoch && frame.seq <= known.seq) return;
    this.#positions[frame.channel] = { seq: frame.seq, epoch: frame.epoch };
    this.#options.onMessage(frame);
    this.#pendingAcks.set(frame.channel, frame.seq);
    this.#ackTimer ??= setTimeout(() => this.#flushAcks(), this.#options.ackDelayMs ?? 50);
  }

  #flushAcks(): void {
    clearTimeout(this.#ackTimer);
    this.#ackTimer = undefined;
    if (!this.#connected) return;
    for (const [channel, seq] of this.#pendingAcks) this.#socket?.send(JSON.stringify({ type: 'ack', channel, seq }));
    this.#pendingAcks.clear();
  }

  #onClose(code: number, reason: string): void {
    this.#connected = false;
    this.#socket = undefined;
    if (this.#stopped) return;
    if (!shouldReconnect(code)) {
      this.#stopped = true;
      for (const pending of this.#publishes.values()) pending.reject(new Error(`connection closed: ${code} ${reason}`));
      this.#publishes.clear();
      this.#options.onTerminal?.(code, reason);
      return;
    }
    const delay = backoffDelay(this.#attempt++, this.#options.backoff ?? { initialMs: 200, maxMs: 10_000 });
    this.#reconnectTimer = setTimeout(() => this.connect(), delay);
  }
}

/** base64url of UTF-8 text, without Node's Buffer (browsers). */
function base64url(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export { backoffDelay } from './backoff.ts';
export type { SocketFactory } from './adapters/socket.ts';
