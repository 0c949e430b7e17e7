/**
 * What every HTTP route group receives. Route files export
 * `register(app: FastifyInstance, deps: HttpDeps): void` and are listed in server.ts; delivery's
 * groups (push, dlq-replay) arrive through `GatewayDeps.routes` as `RouteRegistrar`s that close
 * over their own services, so this type stays free of delivery internals.
 */
import type { FastifyInstance, preHandlerHookHandler } from 'fastify';
import type { GatewayConfig } from '../../config/load.ts';
import type { GatewayMetrics } from '../../observability/metrics.ts';
import type { Logger } from '../../observability/logger.ts';
import type { SessionStore } from '../../ports/session-store.ts';
import type { RateLimiter } from '../../ports/rate-limiter.ts';
import type { SessionAuthenticator } from '../../auth/authenticator.ts';

export interface HttpDeps {
  readonly config: GatewayConfig;
  readonly logger: Logger;
  readonly metrics: GatewayMetrics;
  readonly sessions: SessionStore;
  readonly auth: SessionAuthenticator;
  /** Rate limiters: `register` per client IP (POST /api/register). */
  readonly limits: { readonly register: RateLimiter };
  /** preHandler that requires `Authorization: Bearer <auth.apiToken>` (backend and admin routes). */
  readonly requireBackend: preHandlerHookHandler;
  /** The WebSocket base URL (ws[s]://host[:port]) registration answers point at. */
  readonly websocketBaseUrl: () => string;
  /** Closes the live connection of a session on whichever gateway holds it (revocation). */
  readonly kick: (sessionId: string, holder: { node: string; connId: string }, code: 'REVOKED') => Promise<void>;
  /** Readiness of everything the gateway depends on (store, delivery). */
  readonly readiness: () => Promise<{ ready: boolean; checks: Record<string, boolean> }>;
}

export type RouteRegistrar = (app: FastifyInstance, deps: HttpDeps) => void;
