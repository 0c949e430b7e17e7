/**
 * The `ces.v1` client protocol: JSON text frames over WebSocket (DESIGN.md §3.4).
 * Versioned by the subprotocol name; fields are only ever added.
 */
export const PROTOCOL = 'ces.v1';

/** Per-channel position in the welcome frame. */
export interface ChannelState {
  /** Channel name: `s:<sessionId>`, `c:<customerId>`, `r:<room>` or `*`. */
  channel: string;
  /** Highest seq currently in the channel's history (0 when empty). */
  seq: number;
  /** Changes whenever the channel's history was lost and restarted. */
  epoch: string;
  /** True when everything after the client's position was replayed; false when history lost part of it. */
  recovered: boolean;
  /** When recovered is false: the first and last seq that could not be replayed. */
  missing?: { from: number; to: number };
}

export interface WelcomeFrame {
  type: 'welcome';
  protocol: typeof PROTOCOL;
  sessionId: string;
  /** Name of the gateway process that holds the connection. */
  node: string;
  channels: ChannelState[];
  /** True when every channel recovered. */
  recovered: boolean;
  /** Server ping interval in ms; the client may treat twice this without traffic as a dead link. */
  heartbeatIntervalMs: number;
}

/** The seed 000 §6.2 envelope plus channel, seq and traceId. */
export interface MessageFrame {
  type: 'message';
  messageId: string;
  sessionId: string;
  /** ISO-8601 time of the Kafka record. */
  timestamp: string;
  data: unknown;
  /** The Kafka topic the message came from (seed 000 §6.2: `"source": "kafka-topic-name"`). */
  source: string;
  channel: string;
  seq: number;
  epoch: string;
  event?: string;
  traceId?: string;
}

export interface ErrorFrame {
  type: 'error';
  code: string;
  message: string;
  /** Echo of the client frame id the error answers, when it had one. */
  id?: string;
}

export interface PongFrame {
  type: 'pong';
  id?: string;
}

export interface PublishResultFrame {
  type: 'published';
  id: string;
  topic: string;
  partition: number;
  offset: string;
  duplicate: boolean;
}

export type ServerFrame = WelcomeFrame | MessageFrame | ErrorFrame | PongFrame | PublishResultFrame;

export interface AckFrame {
  type: 'ack';
  channel: string;
  seq: number;
}
export interface PingFrame {
  type: 'ping';
  id?: string;
}
export interface PublishFrame {
  type: 'publish';
  id: string;
  event: string;
  data: unknown;
}
export interface SubscribeFrame {
  type: 'subscribe' | 'unsubscribe';
  room: string;
}
export type ClientFrame = AckFrame | PingFrame | PublishFrame | SubscribeFrame;

/**
 * Resume positions a client may send when connecting, as the query parameter
 * `resume=<base64url(JSON)>` of `GET /ws/{sessionId}`: per channel the last seq it has
 * processed and the epoch it saw. The server replays from max(stored ack, client position).
 */
export type ResumePositions = Record<string, { seq: number; epoch: string }>;
