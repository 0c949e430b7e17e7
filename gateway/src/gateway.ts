/**
 * buildGateway(deps): wires the edge (HTTP API, WebSocket server, session sweeper) around a
 * delivery handler; start()/stop(). Never touches env or process — main.ts and
 * testing/start-gateway.ts compose the dependencies (compose.ts).
 * start: store reachable → HTTP listen (not ready) → delivery start → ready.
 * stop (drain): not ready + refuse upgrades → sockets close SHUTDOWN_RECONNECT (bounded by
 * ws.drainGraceMs) → delivery stops (in-flight batches commit, group left) → HTTP closes.
 */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { GatewayConfig } from './config/load.ts';
import type { GatewayMetrics } from './observability/metrics.ts';
import type { Logger } from './observability/logger.ts';
import type { SessionStore } from './ports/session-store.ts';
import type { ControlBus } from './ports/control-bus.ts';
import type { DeliveryHandler } from './ports/delivery.ts';
import type { RateLimiter } from './ports/rate-limiter.ts';
import type { RouteRegistrar } from './adapters/http/deps.ts';
import { createHttpServer } from './adapters/http/server.ts';
import { WsServer } from './adapters/ws/ws-server.ts';
import { createAuthenticator } from './auth/authenticator.ts';

export interface GatewayDelivery {
  handler: DeliveryHandler;
  start(): Promise<void>;
  stop(): Promise<void>;
  ready(): boolean;
}

export interface GatewayDeps {
  config: GatewayConfig;
  logger: Logger;
  metrics: GatewayMetrics;
  sessions: SessionStore;
  bus: ControlBus;
  delivery: GatewayDelivery;
  limits: { register: RateLimiter; connect: RateLimiter };
  /** Extra HTTP route groups (delivery's push and DLQ replay). */
  routes?: readonly RouteRegistrar[];
  /** Closed last on stop (the shared Redis connection). */
  onStopped?: () => Promise<void>;
}

export interface Gateway {
  start(): Promise<{ url: string; port: number }>;
  stop(): Promise<void>;
  /** The fastify instance (tests use inject()). */
  readonly http: FastifyInstance;
  readonly ws: WsServer;
}

/** ws[s]://… base of registration answers: the configured public URL, else the listening address. */
export function websocketBase(config: GatewayConfig, port: number): string {
  if (config.http.publicUrl) return config.http.publicUrl.replace(/^http/, 'ws').replace(/\/+$/, '');
  const host = config.http.host === '0.0.0.0' || config.http.host === '::' ? '127.0.0.1' : config.http.host;
  return `${config.tls.certFile ? 'wss' : 'ws'}://${host}:${port}`;
}

export async function buildGateway(deps: GatewayDeps): Promise<Gateway> {
  const { config, logger, metrics, sessions, delivery } = deps;
  const log = logger.child({ component: 'gateway' });
  let port = config.http.port;
  let started = false;
  let sweeper: NodeJS.Timeout | undefined;
  const ws = new WsServer({ config, logger, metrics, sessions, bus: deps.bus, handler: delivery.handler, connectLimiter: deps.limits.connect });

  async function readiness() {
    const store = await sessions.ping().then(() => true, () => false);
    const checks = { store, delivery: delivery.ready(), accepting: started && !ws.draining };
    const ready = Object.values(checks).every(Boolean);
    metrics.ready.set(ready ? 1 : 0);
    return { ready, checks };
  }

  const http = await createHttpServer(
    {
      config, logger, metrics, sessions,
      auth: createAuthenticator(config, sessions),
      limits: { register: deps.limits.register },
      websocketBaseUrl: () => websocketBase(config, port),
      kick: (_sessionId, holder, code) => ws.kick(holder, code),
      readiness,
    },
    deps.routes ?? [],
  );
  ws.attach(http.server);

  async function sweep(): Promise<void> {
    try {
      const removed = await sessions.sweep();
      metrics.sessions.set(await sessions.count());
      if (removed > 0) log.info({ event: 'sweep', expired: removed }, 'expired sessions removed');
    } catch (err) {
      log.warn({ err }, 'session sweep failed');
    }
  }

  return {
    http,
    ws,
    async start() {
      await sessions.ping();
      await ws.start();
      await http.listen({ host: config.http.host, port: config.http.port });
      port = (http.server.address() as AddressInfo).port;
      await delivery.start();
      started = true;
      sweeper = setInterval(() => void sweep(), config.session.sweepIntervalMs);
      sweeper.unref();
      metrics.ready.set(1);
      log.info({ event: 'started', port, mode: config.redis.url ? 'redis' : 'memory', auth: config.auth.mode }, 'gateway started');
      return { url: `${config.tls.certFile ? 'https' : 'http'}://${config.http.host === '0.0.0.0' ? '127.0.0.1' : config.http.host}:${port}`, port };
    },
    async stop() {
      log.info({ event: 'draining', connections: ws.size }, 'draining');
      metrics.ready.set(0);
      clearInterval(sweeper);
      await ws.drain(config.ws.drainGraceMs);
      await delivery.stop().catch((err: unknown) => log.warn({ err }, 'delivery stop failed'));
      await ws.stop();
      await http.close();
      await sessions.close();
      await deps.onStopped?.();
      log.info({ event: 'stopped' }, 'gateway stopped');
    },
  };
}
