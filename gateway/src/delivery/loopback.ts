/**
 * Test helper: a SocketFactory for the real client SDK that talks to a DeliveryHandler in-process
 * (frames are JSON-encoded both ways, like on a socket). Lets reliability tests drive CesClient
 * (reconnect, resume, acks, de-dup) against real Kafka/Redis without the WebSocket edge.
 */
import { randomUUID } from 'node:crypto';
import type { ClientFrame, ResumePositions, ServerFrame } from '@ces/contracts/protocol';
import { CloseCodes, type CloseCodeName } from '@ces/contracts/close-codes';
import type { ClientConnection, DeliveryHandler, SessionIdentity } from '../ports/delivery.ts';
import type { SocketFactory } from '../../client/adapters/socket.ts';

export interface Loopback {
  factory: SocketFactory;
  /** Live server-side connections by session id. */
  live: Map<string, ClientConnection>;
  /** Connections opened so far (reconnects included). */
  opened(): number;
}

export function loopback(handler: () => DeliveryHandler, identity: (sessionId: string) => SessionIdentity): Loopback {
  const live = new Map<string, ClientConnection>();
  let opened = 0;
  const factory: SocketFactory = (url, _protocol, handlers) => {
    const parsed = new URL(url);
    const sessionId = decodeURIComponent(parsed.pathname.split('/').at(-1)!);
    const resumeParam = parsed.searchParams.get('resume');
    const resume = resumeParam ? (JSON.parse(Buffer.from(resumeParam, 'base64url').toString()) as ResumePositions) : {};
    const h = handler();
    let open = true;
    const conn: ClientConnection = {
      connId: randomUUID(),
      session: identity(sessionId),
      get isOpen() {
        return open;
      },
      send(frame: ServerFrame) {
        if (!open) return 'closed';
        const text = JSON.stringify(frame);
        queueMicrotask(() => open && handlers.onMessage(text));
        return 'sent';
      },
      close(code: CloseCodeName) {
        if (!open) return;
        open = false;
        if (live.get(sessionId) === conn) live.delete(sessionId);
        h.close(conn);
        setTimeout(() => handlers.onClose(CloseCodes[code].code, CloseCodes[code].reason), 0);
      },
    };
    live.set(sessionId, conn);
    opened++;
    h.open(conn, resume).then(
      (welcome) => open && handlers.onMessage(JSON.stringify(welcome)),
      () => conn.close('INTERNAL_RECONNECT'),
    );
    return {
      send: (text) => {
        if (open) void h.frame(conn, JSON.parse(text) as ClientFrame);
      },
      close: () => conn.close('SHUTDOWN_RECONNECT'),
    };
  };
  return { factory, live, opened: () => opened };
}
