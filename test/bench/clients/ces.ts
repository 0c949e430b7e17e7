/**
 * CES client for the bench, speaking the documented `ces.v1` wire protocol directly over `ws`
 * (contracts/src/protocol.ts) so the figures measure the gateway, not an SDK: mint a session as
 * the backend would (POST /api/sessions) and register it as the app would (POST /api/register),
 * both in registerCes before any session connects; then open the returned WebSocket URL, ack each
 * channel cumulatively (debounced by 50 ms like the SDK), and on a drop reconnect with the resume
 * positions it has processed.
 *
 * It does not drop duplicates itself: every redelivered frame reaches the tracker, so the
 * duplicate count is what the server sent, not what an SDK would hide.
 */
import WebSocket from 'ws';
import { PROTOCOL, type ResumePositions, type ServerFrame } from '@ces/contracts/protocol';
import { RECONNECT_DELAY_MS, deferred, type BenchConnection, type Connect, type Register } from './types.ts';

const MAX_ATTEMPTS = 10;
/** Ack debounce, the CES client SDK's default (gateway/client ackDelayMs). */
const ACK_DELAY_MS = 50;

async function postJson(url: string, body: unknown, headers: Record<string, string>): Promise<Record<string, unknown>> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${url} answered ${res.status}: ${text.slice(0, 200)}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/** Backend mints, app registers; the spec comes back with the WebSocket URL and, for a session target, the minted id. */
export const registerCes: Register = async (spec) => {
  const api = spec.api!;
  const minted = await postJson(`${api.base}/api/sessions`, { customerId: api.customerId }, api.headers);
  const sessionId = String((minted.session as { sessionId?: string } | undefined)?.sessionId ?? minted.sessionId ?? '');
  if (!sessionId) throw new Error(`POST /api/sessions answered without a sessionId: ${JSON.stringify(minted).slice(0, 200)}`);
  const registered = await postJson(`${api.base}/api/register`, { sessionId }, {});
  const websocketUrl = String(registered.websocketUrl ?? '');
  if (!websocketUrl) throw new Error('POST /api/register answered without a websocketUrl');
  return { ...spec, target: spec.target || sessionId, url: websocketUrl };
};

function withResume(url: string, positions: ResumePositions): string {
  if (Object.keys(positions).length === 0) return url;
  const resume = Buffer.from(JSON.stringify(positions)).toString('base64url');
  return `${url}${url.includes('?') ? '&' : '?'}resume=${resume}`;
}

/** Opens a session registerCes returned. */
export const connectCes: Connect = (spec, onData) => {
  const positions: ResumePositions = {};
  const pendingAcks = new Set<string>();
  let ws: WebSocket | undefined;
  let closed = false;
  /** Consecutive connection attempts without a welcome; the session fails after MAX_ATTEMPTS. */
  let attempts = 0;
  let ready = deferred<boolean>();

  const flushAcks = (): void => {
    for (const channel of pendingAcks) {
      const p = positions[channel];
      if (p && ws?.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: 'ack', channel, seq: p.seq }));
    }
    pendingAcks.clear();
  };

  const onFrame = (raw: WebSocket.RawData): void => {
    const frame = JSON.parse(raw.toString()) as ServerFrame;
    if (frame.type === 'message') {
      onData(frame.data);
      positions[frame.channel] = { seq: frame.seq, epoch: frame.epoch };
      if (pendingAcks.size === 0) setTimeout(flushAcks, ACK_DELAY_MS);
      pendingAcks.add(frame.channel);
    } else if (frame.type === 'welcome') {
      attempts = 0;
      ready.resolve(frame.recovered);
    } else if (frame.type === 'error') {
      ready.reject(new Error(`error frame ${frame.code}: ${frame.message}`));
    }
  };

  const open = (): void => {
    attempts += 1;
    const socket = new WebSocket(withResume(spec.url, positions), PROTOCOL);
    ws = socket;
    socket.on('message', onFrame);
    socket.on('error', () => {}); // 'close' follows and decides
    socket.on('close', (code) => {
      if (closed || ws !== socket) return;
      // The server closed us (drain, take-over, slow consumer) or the connect failed: reconnect
      // like an app would, unless the code is terminal or it keeps failing.
      if (code >= 4500 || attempts >= MAX_ATTEMPTS) ready.reject(new Error(`connection closed ${code} after ${attempts} attempts`));
      else setTimeout(open, RECONNECT_DELAY_MS * (1 + Math.random() * 0.5));
    });
  };

  const first = ready.promise.then(() => undefined);
  open();

  return {
    target: () => spec.target,
    ready: first,
    async drop() {
      ready = deferred<boolean>();
      const old = ws;
      ws = undefined;
      old?.terminate();
      setTimeout(open, RECONNECT_DELAY_MS * (1 + Math.random() * 0.5));
      return ready.promise;
    },
    close() {
      closed = true;
      ws?.close(1000);
    },
  } satisfies BenchConnection;
};
