/**
 * The demo's web server: serves the static page in `demo/`, mints sessions for it with the
 * backend API token (`POST /demo/session` → gateway `POST /api/sessions`), and forwards the
 * page's `POST /api/register` to the gateway (same origin for the browser, so the gateway needs
 * no CORS). The WebSocket goes straight to the gateway, whose Origin allowlist names this server.
 *
 * The token never reaches the browser. Bodies are capped and only two paths are forwarded.
 */
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

const STATIC: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/index.html': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
};
const MAX_BODY_BYTES = 4096;

class BodyTooLarge extends Error {}

export interface DemoWebOptions {
  /** 0 picks a free port. */
  readonly port: number;
  readonly host: string;
  /** Folder with index.html and app.js. */
  readonly staticDir: string;
  /** Gateway base URL, e.g. http://127.0.0.1:8080 */
  readonly gatewayUrl: string;
  readonly apiToken: string;
  /** Customer every demo session belongs to (the producer targets its channel). */
  readonly customerId: string;
}

export interface DemoWeb {
  readonly url: string;
  close(): Promise<void>;
}

export async function startDemoWeb(opts: DemoWebOptions): Promise<DemoWeb> {
  const server = http.createServer((req, res) => {
    handle(req, res, opts).catch((err: unknown) => {
      if (err instanceof BodyTooLarge) return reply(res, 413, { status: 'error', message: err.message, errorCode: 'PAYLOAD_TOO_LARGE' });
      reply(res, 502, { status: 'error', message: `demo: gateway unreachable (${(err as Error).message})`, errorCode: 'DEMO_UPSTREAM' });
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 15_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${opts.host}:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function handle(req: http.IncomingMessage, res: http.ServerResponse, opts: DemoWebOptions): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://demo');
  const asset = STATIC[url.pathname];
  if (req.method === 'GET' && asset) {
    const body = await readFile(path.join(opts.staticDir, asset.file));
    res.writeHead(200, { 'content-type': asset.type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
    res.end(body);
    return;
  }
  if (req.method === 'POST' && url.pathname === '/demo/session') {
    await readBody(req);
    const upstream = await fetch(new URL('/api/sessions', opts.gatewayUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${opts.apiToken}` },
      body: JSON.stringify({ customerId: opts.customerId }),
    });
    const json = (await upstream.json()) as { session?: { sessionId?: unknown } };
    const sessionId = json.session?.sessionId;
    if (!upstream.ok || typeof sessionId !== 'string') return reply(res, upstream.ok ? 502 : upstream.status, json);
    return reply(res, 201, { sessionId });
  }
  if (req.method === 'POST' && url.pathname === '/api/register') {
    const body = await readBody(req);
    const upstream = await fetch(new URL('/api/register', opts.gatewayUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    return reply(res, upstream.status, await upstream.json());
  }
  reply(res, 404, { status: 'error', message: 'Not found', errorCode: 'NOT_FOUND' });
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLarge(`request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function reply(res: http.ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}
