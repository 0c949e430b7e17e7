/**
 * Test helpers around the `ws` client: open a socket and collect what the server sends, or read
 * the HTTP refusal of an upgrade. Used by the edge's tests (and reusable by others').
 */
import WebSocket from 'ws';
import type { ServerFrame } from '@ces/contracts/protocol';

export interface OpenSocket {
  ws: WebSocket;
  frames: ServerFrame[];
  /** Resolves with the close code the client saw. */
  closed: Promise<number>;
  /** Resolves with the next frame matching `pred` (already received ones count). */
  next(pred?: (f: ServerFrame) => boolean, timeoutMs?: number): Promise<ServerFrame>;
}

export type ConnectResult = { open: OpenSocket } | { refused: { status: number; body: unknown; headers: Record<string, string | string[] | undefined> } };

export function connect(url: string, options: WebSocket.ClientOptions = {}, protocols: string[] = []): Promise<ConnectResult> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols, options);
    const frames: ServerFrame[] = [];
    const waiters: { pred: (f: ServerFrame) => boolean; resolve: (f: ServerFrame) => void }[] = [];
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as ServerFrame;
      frames.push(frame);
      for (const w of [...waiters]) if (w.pred(frame)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(frame);
      }
    });
    const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ refused: { status: res.statusCode ?? 0, body: body ? JSON.parse(body) : undefined, headers: res.headers } }));
    });
    ws.on('error', (err) => reject(err));
    ws.on('open', () =>
      resolve({
        open: {
          ws,
          frames,
          closed,
          next(pred = () => true, timeoutMs = 5000) {
            const found = frames.find(pred);
            if (found) return Promise.resolve(found);
            return new Promise((res, rej) => {
              const timer = setTimeout(() => rej(new Error('no matching frame')), timeoutMs);
              waiters.push({ pred, resolve: (f) => (clearTimeout(timer), res(f)) });
            });
          },
        },
      }),
    );
  });
}

/** Connects and fails unless the upgrade succeeded. */
export async function mustOpen(url: string, options: WebSocket.ClientOptions = {}, protocols: string[] = []): Promise<OpenSocket> {
  const result = await connect(url, options, protocols);
  if ('refused' in result) throw new Error(`upgrade refused: ${result.refused.status} ${JSON.stringify(result.refused.body)}`);
  return result.open;
}

/** Connects and fails unless the upgrade was refused. */
export async function mustRefuse(url: string, options: WebSocket.ClientOptions = {}): Promise<{ status: number; body: unknown; headers: Record<string, string | string[] | undefined> }> {
  const result = await connect(url, options);
  if ('open' in result) {
    result.open.ws.terminate();
    throw new Error('upgrade unexpectedly accepted');
  }
  return result.refused;
}
