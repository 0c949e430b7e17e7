/**
 * Which session channels may take records: a short memo of session liveness in front of
 * SessionStore.get, so a burst of records for one session costs one Redis read, not one each.
 * Guarantees:
 * - a session seen live (`created` or `registered`) counts as live for at most `ttlMs` more, so a
 *   record arriving that soon after a revoke or expiry is still stored in its history — it is
 *   never delivered, because a revoked or expired session cannot connect;
 * - absent or dead sessions are not memoised: a session minted a moment later is seen at once;
 * - concurrent lookups of one session share one read; a failed read is not memoised.
 */
import type { Session, SessionStore } from '../ports/session-store.ts';

export interface LiveSessions {
  isLive(sessionId: string): Promise<boolean>;
}

interface Memo {
  until: number;
  live: Promise<boolean>;
}

/** Above this many memos, expired ones are swept on the next lookup. */
const SWEEP_ABOVE = 10_000;

const liveState = (session: Session | undefined): boolean => session?.state === 'created' || session?.state === 'registered';

export function createLiveSessions(store: Pick<SessionStore, 'get'>, ttlMs: number, now: () => number = Date.now): LiveSessions {
  const memos = new Map<string, Memo>();
  let nextSweep = 0;

  function sweep(at: number): void {
    if (memos.size <= SWEEP_ABOVE || at < nextSweep) return;
    for (const [id, memo] of memos) if (memo.until <= at) memos.delete(id);
    nextSweep = at + ttlMs;
  }

  return {
    isLive(sessionId) {
      if (ttlMs <= 0) return store.get(sessionId).then(liveState);
      const at = now();
      const memo = memos.get(sessionId);
      if (memo && memo.until > at) return memo.live;
      sweep(at);
      const live = store.get(sessionId).then(liveState);
      const entry: Memo = { until: at + ttlMs, live };
      memos.set(sessionId, entry);
      const forget = (): void => {
        if (memos.get(sessionId) === entry) memos.delete(sessionId);
      };
      live.then((ok) => (ok ? undefined : forget()), forget);
      return live;
    },
  };
}
