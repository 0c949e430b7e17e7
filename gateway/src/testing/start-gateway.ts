/**
 * Test helper: an in-process gateway on 127.0.0.1, port 0, composed exactly like main.ts.
 * `overrides` are config keys (nested object) applied over test defaults; env is NOT read.
 *
 *   const gw = await startGateway({ redis: { url, keyPrefix: uniqueName('t') } });
 *   const res = await fetch(`${gw.url}/api/register`, …);  new WebSocket(`${gw.wsUrl}/ws/${id}`);
 *   await gw.stop();
 */
import { loadConfig, type GatewayConfig } from '../config/load.ts';
import { createLogger } from '../observability/logger.ts';
import { createMetrics, type GatewayMetrics } from '../observability/metrics.ts';
import { composeGateway, type ComposeOptions } from '../compose.ts';
import type { Gateway } from '../gateway.ts';

export const TEST_API_TOKEN = 'test-api-token-0123456789abcdef';

/** Defaults that keep tests fast and quiet; any of them can be overridden. */
export const testDefaults = {
  http: { host: '127.0.0.1', port: 0, headersTimeoutMs: 2000, timeoutCheckIntervalMs: 250 },
  auth: { apiToken: TEST_API_TOKEN },
  ws: { heartbeatIntervalMs: 1000, drainGraceMs: 2000 },
  session: { sweepIntervalMs: 1000 },
  rateLimit: { registerPerIpPerMinute: 0, connectPerIpPerMinute: 0 },
  log: { level: 'silent' },
};

export interface StartedGateway {
  /** http://127.0.0.1:<port> */
  url: string;
  /** ws://127.0.0.1:<port> */
  wsUrl: string;
  port: number;
  config: GatewayConfig;
  metrics: GatewayMetrics;
  gateway: Gateway;
  /** Backend calls: fetch with the bearer token and JSON body. */
  api(method: string, path: string, body?: unknown): Promise<Response>;
  /** Mints (POST /api/sessions) and registers (POST /api/register) a session; returns its id. */
  newSession(body?: { customerId?: string; rooms?: string[]; ttlSeconds?: number }): Promise<string>;
  stop(): Promise<void>;
}

function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' ? merge(b as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
}

export async function startGateway(overrides: object = {}, options: Partial<ComposeOptions> = {}): Promise<StartedGateway> {
  const config = loadConfig([], {}, merge(testDefaults, overrides as Record<string, unknown>));
  const logger = options.logger ?? createLogger({ level: config.log.level, node: config.node });
  const metrics = options.metrics ?? createMetrics(undefined, { defaultMetrics: false });
  const gateway = await composeGateway(config, { ...options, logger, metrics });
  const { url, port } = await gateway.start();
  const api = (method: string, path: string, body?: unknown) =>
    fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${config.auth.apiToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  return {
    url,
    wsUrl: url.replace(/^http/, 'ws'),
    port,
    config,
    metrics,
    gateway,
    api,
    async newSession(body = {}) {
      const created = await api('POST', '/api/sessions', { customerId: 'customer-1', ...body });
      if (created.status !== 201) throw new Error(`POST /api/sessions: ${created.status} ${await created.text()}`);
      const { session } = (await created.json()) as { session: { sessionId: string } };
      const registered = await fetch(`${url}/api/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sessionId: session.sessionId }) });
      if (registered.status !== 200) throw new Error(`POST /api/register: ${registered.status} ${await registered.text()}`);
      return session.sessionId;
    },
    stop: () => gateway.stop(),
  };
}
