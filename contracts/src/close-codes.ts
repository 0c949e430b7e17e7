/**
 * Every WebSocket close code the gateway sends, in one table. Clients read `reconnect` to decide
 * whether to reconnect (with backoff, resuming from their last acked seq) or to stop and
 * re-register. Ranges follow centrifuge: 4000–4499 reconnect, 4500–4999 terminal.
 * Reasons are ≤ 123 bytes (the WebSocket limit for a close reason). Codes are append-only:
 * never reuse or renumber one.
 */
export const CloseCodes = {
  /** Gateway is draining (SIGTERM / rollout): reconnect, possibly to another gateway. */
  SHUTDOWN_RECONNECT: { code: 4000, reason: 'gateway shutting down, reconnect', reconnect: true },
  /** The outbound queue exceeded its byte bound; reconnect and resume from history. */
  SLOW_CONSUMER: { code: 4001, reason: 'slow consumer: outbound queue over limit', reconnect: true },
  /** No pong within the heartbeat interval (server side) — the client may reconnect. */
  HEARTBEAT_TIMEOUT: { code: 4002, reason: 'heartbeat timeout', reconnect: true },
  /** A newer connection for the same session took over (possibly on another gateway). */
  TAKEN_OVER: { code: 4003, reason: 'session taken over by a newer connection', reconnect: true },
  /** Rate limited or temporarily unable to serve: reconnect after a backoff. */
  TRY_LATER: { code: 4004, reason: 'try again later', reconnect: true },
  /** A dependency (Redis) failed while serving this connection: reconnect with backoff. */
  INTERNAL_RECONNECT: { code: 4005, reason: 'internal error, reconnect', reconnect: true },
  /** The client sent a frame that is not valid ces.v1 too often / in a way that cannot continue. */
  PROTOCOL_ERROR: { code: 4500, reason: 'protocol error', reconnect: false },
  /** The session is not (or no longer) authorized. Re-register. */
  UNAUTHORIZED: { code: 4501, reason: 'unauthorized', reconnect: false },
  /** The backend revoked the session (DELETE /api/sessions/{id}). Re-register. */
  REVOKED: { code: 4502, reason: 'session revoked', reconnect: false },
  /** The session's TTL ran out. Re-register. */
  EXPIRED: { code: 4503, reason: 'session expired', reconnect: false },
  /** A client frame exceeded the maximum frame size. */
  FRAME_TOO_LARGE: { code: 4504, reason: 'frame too large', reconnect: false },
} as const satisfies Record<string, { code: number; reason: string; reconnect: boolean }>;

export type CloseCodeName = keyof typeof CloseCodes;

/** Whether a client that saw `code` should reconnect. Unknown 4xxx codes follow the range rule. */
export function shouldReconnect(code: number): boolean {
  for (const entry of Object.values(CloseCodes)) if (entry.code === code) return entry.reconnect;
  if (code >= 4500 && code <= 4999) return false;
  return true;
}
