/**
 * /healthz (the process is alive), /readyz (informers synced, or standing by for the Lease) and
 * /metrics (Prometheus text) on one small HTTP server.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface AdminHttp {
  readonly port: number;
  close(): Promise<void>;
}

export interface AdminProbes {
  healthy(): boolean;
  ready(): boolean;
}

export async function startAdminHttp(host: string, port: number, registry: Registry, probes: AdminProbes): Promise<AdminHttp> {
  const server = http.createServer((req, res) => void serve(req, res, registry, probes));
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function serve(req: http.IncomingMessage, res: http.ServerResponse, registry: Registry, probes: AdminProbes): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'method not allowed\n');
  if (path === '/healthz') return probes.healthy() ? send(res, 200, 'text/plain', 'ok\n') : send(res, 503, 'text/plain', 'unhealthy\n');
  if (path === '/readyz') return probes.ready() ? send(res, 200, 'text/plain', 'ok\n') : send(res, 503, 'text/plain', 'not ready\n');
  if (path === '/metrics') {
    try {
      return send(res, 200, registry.contentType, await registry.metrics());
    } catch {
      return send(res, 500, 'text/plain', 'metrics failed\n');
    }
  }
  return send(res, 404, 'text/plain', 'not found\n');
}

function send(res: http.ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}
