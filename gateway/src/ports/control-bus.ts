/**
 * ControlBus: tells the gateway that holds a connection to close it (take-over by a newer
 * connection, revocation). Best effort: a lost message is repaired by the holder's heartbeat
 * sweep, which re-reads the session and closes connections that are no longer its holder or no
 * longer live. Memory twin: in-process; Redis: one (sharded) pub/sub channel per node.
 */
import type { CloseCodeName } from '@ces/contracts/close-codes';

export interface KickMessage {
  kind: 'kick';
  connId: string;
  code: CloseCodeName;
}

export interface ControlBus {
  /** Starts receiving messages addressed to `node`. */
  listen(node: string, onMessage: (message: KickMessage) => void): Promise<void>;
  send(node: string, message: KickMessage): Promise<void>;
  close(): Promise<void>;
}

const KICK_CODES: readonly CloseCodeName[] = ['TAKEN_OVER', 'REVOKED', 'EXPIRED', 'SHUTDOWN_RECONNECT'];

/** Strict decoding of a control message from the wire; undefined when it is not one. */
export function decodeKick(text: string): KickMessage | undefined {
  try {
    const m = JSON.parse(text) as Partial<KickMessage>;
    if (m.kind === 'kick' && typeof m.connId === 'string' && KICK_CODES.includes(m.code as CloseCodeName)) return { kind: 'kick', connId: m.connId, code: m.code as CloseCodeName };
  } catch {
    /* not JSON: ignored */
  }
  return undefined;
}
