/**
 * The seam between the edge (HTTP/WebSocket, sessions, auth) and delivery (history, fan-out,
 * acks, publish). The edge owns sockets and session lifecycle; delivery owns what flows through
 * an authenticated socket. The edge calls a `DeliveryHandler` for every accepted connection.
 */
import type { ClientFrame, ResumePositions, ServerFrame, WelcomeFrame } from '@ces/contracts/protocol';
import type { CloseCodeName } from '@ces/contracts/close-codes';

/** What the edge knows about an authenticated session when it opens a connection. */
export interface SessionIdentity {
  sessionId: string;
  customerId: string;
  rooms: readonly string[];
  /** Epoch ms when the session expires unless refreshed. */
  expiresAt: number;
}

/** One accepted socket, as delivery sees it. */
export interface ClientConnection {
  readonly connId: string;
  readonly session: SessionIdentity;
  /**
   * Queues a frame for the socket. 'slow' means the byte-bounded outbound queue overflowed: the
   * edge has already closed the socket with SLOW_CONSUMER and the frame was not queued.
   * 'closed' means the socket is gone. Frames are written in call order.
   */
  send(frame: ServerFrame): 'sent' | 'slow' | 'closed';
  /** Closes with a code from the close-code table. Idempotent. */
  close(code: CloseCodeName): void;
  readonly isOpen: boolean;
}

export interface DeliveryHandler {
  /**
   * Called once per accepted connection, before any other frame. Must subscribe the
   * connection's channels, replay from the resume positions (stored acks or the client's later
   * positions) and return the welcome frame; the edge sends it first, then delivery's queued frames.
   */
  open(conn: ClientConnection, resume: ResumePositions): Promise<WelcomeFrame>;
  /** A parsed, schema-valid client frame (`ack`, `publish`, `subscribe`, `unsubscribe`; `ping` is answered by the edge). */
  frame(conn: ClientConnection, frame: ClientFrame): Promise<void>;
  /** The socket closed (any reason). Must release subscriptions. */
  close(conn: ClientConnection): void;
}
