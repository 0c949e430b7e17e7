/**
 * Client snippet: register a session and receive its events with the CES client SDK
 * (gateway/client/: reconnect with backoff, resume after the last seq handed to you, cumulative
 * acks, de-duplication). Runs in browsers and on Node 24 (global WebSocket).
 *
 * Try it against the demo (`npm start`), which mints sessions for its page:
 *   SESSION=$(curl -s -XPOST http://127.0.0.1:8000/demo/session | node -pe 'JSON.parse(require("fs").readFileSync(0)).sessionId')
 *   bash scripts/node.sh examples/client.ts http://127.0.0.1:8000 "$SESSION"
 * In production your backend mints the session (POST /api/sessions with its API token, or a JWT)
 * and hands the id to the app; the app registers it and connects.
 */
import { CesClient } from '@ces/gateway/client';
import type { MessageFrame } from '@ces/contracts/protocol';

export async function register(baseUrl: string, sessionId: string): Promise<string> {
  const res = await fetch(new URL('/api/register', baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sessionId }),
  });
  const body = (await res.json()) as { status: string; websocketUrl?: string; errorCode?: string; message?: string };
  if (!res.ok || !body.websocketUrl) throw new Error(`register failed: ${res.status} ${body.errorCode} ${body.message}`);
  return body.websocketUrl;
}

const print = (m: MessageFrame) => console.log(`${m.channel} #${m.seq} ${JSON.stringify(m.data)}`);

export async function follow(baseUrl: string, sessionId: string, onEvent: (m: MessageFrame) => void = print): Promise<CesClient> {
  const websocketUrl = await register(baseUrl, sessionId);
  const client = new CesClient({
    url: websocketUrl,
    onWelcome: (w) => console.log(`connected to ${w.node}; channels ${w.channels.map((c) => `${c.channel}@${c.seq}`).join(', ')}`),
    // Handed over once per (channel, epoch, seq), in order; acked after this returns.
    onMessage: onEvent,
    onGap: (c) => console.warn(`history lost ${c.channel} ${c.missing?.from}..${c.missing?.to}: reload from your source of truth`),
    onTerminal: (code, reason) => console.error(`session ended (${code} ${reason}): register a new one`),
  });
  client.connect();
  return client;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [baseUrl, sessionId] = process.argv.slice(2);
  if (!baseUrl || !sessionId) throw new Error('usage: examples/client.ts <gateway-or-demo-url> <sessionId>');
  const client = await follow(baseUrl, sessionId);
  process.on('SIGINT', () => client.close());
}
