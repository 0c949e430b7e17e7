/**
 * Resume planning and per-channel ordering (Centrifugo/AnyCable model: seq + epoch + recovered).
 *
 * Guarantees the delivery layer builds on:
 * - `planResume` picks the replay start as the furthest valid position (stored ack or client
 *   position, both only in the current epoch) and reports `recovered: false` with the missing
 *   range when history no longer holds what comes after it.
 * - `ChannelCursor` lets through each seq of one epoch at most once and in increasing order, and
 *   names a gap instead of skipping it, so the caller can fill it from history.
 */
import type { ChannelState } from '@ces/contracts/protocol';

/** What a channel's history holds right now. `oldest` is top + 1 when the history is empty. */
export interface HistoryWindow {
  epoch: string;
  top: number;
  oldest: number;
  /** Highest seq acked on the channel in this epoch (History.ack; session channels only), else 0. */
  acked: number;
}

export interface ResumePlan {
  /** Replay entries with seq > after. */
  after: number;
  state: ChannelState;
}

export interface ResumeInput {
  channel: string;
  window: HistoryWindow;
  /** Stored cumulative ack in the current epoch, if any. */
  acked?: number;
  /** The client's own position, if it sent one. */
  client?: { seq: number; epoch: string };
  /** True for the session's own channel: with no position at all, replay everything buffered. */
  replayFromStart: boolean;
}

export function planResume(input: ResumeInput): ResumePlan {
  const { channel, window } = input;
  const base = { channel, seq: window.top, epoch: window.epoch };
  const clientValid = input.client !== undefined && input.client.epoch === window.epoch;
  const positions: number[] = [];
  if (input.acked !== undefined) positions.push(input.acked);
  if (clientValid && input.client) positions.push(input.client.seq);

  if (input.client !== undefined && !clientValid && positions.length === 0) {
    // The client saw another epoch: that history is gone. Give it all the new epoch still holds.
    return { after: window.oldest - 1, state: { ...base, recovered: false } };
  }
  if (positions.length === 0) {
    if (!input.replayFromStart) return { after: window.top, state: { ...base, recovered: true } };
    positions.push(0);
  }
  const position = Math.min(Math.max(...positions), window.top);
  if (position < window.oldest - 1) {
    return {
      after: window.oldest - 1,
      state: { ...base, recovered: false, missing: { from: position + 1, to: window.oldest - 1 } },
    };
  }
  return { after: position, state: { ...base, recovered: true } };
}

export type CursorVerdict = 'send' | 'duplicate' | 'gap' | 'epoch_changed';

export class ChannelCursor {
  #epoch: string;
  #last: number;

  constructor(epoch: string, last: number) {
    this.#epoch = epoch;
    this.#last = last;
  }

  get last(): number {
    return this.#last;
  }
  get epoch(): string {
    return this.#epoch;
  }

  /** Classifies an entry; on 'send' the cursor advances past it. */
  offer(epoch: string, seq: number): CursorVerdict {
    if (epoch !== this.#epoch) return 'epoch_changed';
    if (seq <= this.#last) return 'duplicate';
    if (seq > this.#last + 1) return 'gap';
    this.#last = seq;
    return 'send';
  }
}
