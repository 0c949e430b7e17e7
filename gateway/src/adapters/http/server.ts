/**
 * The HTTP server: fastify on a plain http/https server we create ourselves (serverFactory), so
 * the slow-loris guards (headersTimeout, requestTimeout) apply to WebSocket upgrades too, and the
 * ws server can attach to its 'upgrade' event. Every error leaves as
 * `{status:"error", message, errorCode}` (errors.ts); nothing a client sends produces a 500.
 * Routes come from one list (ROUTES plus the registrars passed in, e.g. delivery's push/dlq).
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { timingSafeEqual, createHash } from 'node:crypto';
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import swagger from '@fastify/swagger';
import { GatewayError, errorBody, isGatewayError, type ErrorCode } from '../../errors.ts';
import type { GatewayConfig } from '../../config/load.ts';
import type { HttpDeps, RouteRegistrar } from './deps.ts';
import { register as registerRoutes } from './routes/register.ts';
import { register as sessionRoutes } from './routes/sessions.ts';
import { register as healthRoutes } from './routes/health.ts';
import { register as openApiRoutes } from './routes/openapi.ts';
import { register as websocketRoute } from './routes/websocket.ts';
import { openApiInfo } from './routes/openapi.ts';

export const ROUTES: readonly RouteRegistrar[] = [registerRoutes, sessionRoutes, websocketRoute, healthRoutes, openApiRoutes];

/** Query parameters that look like credentials; refused on every route and on upgrades. */
export const CREDENTIAL_PARAMS = ['token', 'access_token', 'jwt', 'api_key', 'apikey', 'authorization', 'auth'];

export function hasCredentialInQuery(url: string | undefined): boolean {
  const query = new URL(url ?? '/', 'http://x').searchParams;
  for (const key of query.keys()) if (CREDENTIAL_PARAMS.includes(key.toLowerCase())) return true;
  return false;
}

function createNodeServer(config: GatewayConfig, handler: http.RequestListener): http.Server {
  const timeouts = {
    headersTimeout: config.http.headersTimeoutMs,
    requestTimeout: config.http.requestTimeoutMs,
    connectionsCheckingInterval: config.http.timeoutCheckIntervalMs,
  };
  if (config.tls.certFile) {
    return https.createServer({ ...timeouts, cert: readFileSync(config.tls.certFile), key: readFileSync(config.tls.keyFile) }, handler);
  }
  return http.createServer(timeouts, handler);
}

/** Maps fastify's own errors (parsing, validation, limits) onto the catalogue. */
function toGatewayError(err: FastifyError): GatewayError {
  if (isGatewayError(err)) return err;
  const status = err.statusCode ?? 500;
  const byStatus: Record<number, ErrorCode> = { 404: 'NOT_FOUND', 405: 'METHOD_NOT_ALLOWED', 413: 'PAYLOAD_TOO_LARGE', 415: 'UNSUPPORTED_MEDIA_TYPE', 429: 'RATE_LIMITED' };
  if (err.validation) return new GatewayError('INVALID_REQUEST', { message: `Invalid request: ${err.message}`, cause: err });
  if (byStatus[status]) return new GatewayError(byStatus[status], { cause: err });
  if (status >= 400 && status < 500) return new GatewayError('INVALID_REQUEST', { message: `Malformed request: ${err.message}`, cause: err });
  return new GatewayError('INTERNAL', { cause: err });
}

export function sendError(reply: FastifyReply, err: GatewayError): FastifyReply {
  if (err.retryAfterSeconds !== undefined) void reply.header('retry-after', String(err.retryAfterSeconds));
  return reply.code(err.status).type('application/json').send(errorBody(err));
}

function backendGuard(apiToken: string) {
  const want = createHash('sha256').update(apiToken).digest();
  return async (request: FastifyRequest) => {
    if (!apiToken) throw new GatewayError('UNAUTHORIZED', { message: 'Backend API disabled: set auth.apiToken (CES_API_TOKEN)' });
    const got = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    // Compare digests so the comparison is constant-time regardless of length.
    if (!got || !timingSafeEqual(createHash('sha256').update(got).digest(), want)) throw new GatewayError('UNAUTHORIZED', { message: 'Backend bearer token required' });
  };
}

export type HttpDepsWithoutGuard = Omit<HttpDeps, 'requireBackend'>;

export async function createHttpServer(depsIn: HttpDepsWithoutGuard, extraRoutes: readonly RouteRegistrar[] = []): Promise<FastifyInstance> {
  const { config, metrics } = depsIn;
  const deps: HttpDeps = { ...depsIn, requireBackend: backendGuard(config.auth.apiToken) };
  const app = Fastify({
    loggerInstance: deps.logger.child({ component: 'http' }),
    logController: new LogController({ disableRequestLogging: true }), // URLs carry session ids; we log fingerprints ourselves
    bodyLimit: config.http.bodyLimitBytes,
    trustProxy: config.http.trustProxy,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    return503OnClosing: true,
    forceCloseConnections: true,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false } },
    serverFactory: (handler) => createNodeServer(config, handler),
  }) as unknown as FastifyInstance; // pino's Logger type is wider than FastifyBaseLogger
  await app.register(swagger, { openapi: openApiInfo });
  app.removeContentTypeParser('text/plain'); // JSON only: anything else is 415 UNSUPPORTED_MEDIA_TYPE

  app.addHook('onRequest', async (request) => {
    if (hasCredentialInQuery(request.url)) throw new GatewayError('TOKEN_IN_URL');
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpRequestDurationSeconds.observe({ route, method: request.method, status: reply.statusCode }, reply.elapsedTime / 1000);
  });
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const gwErr = toGatewayError(err);
    if (gwErr.status >= 500) request.log.error({ err, route: request.routeOptions.url }, 'request failed');
    return sendError(reply, gwErr);
  });
  app.setNotFoundHandler((_request, reply) => sendError(reply, new GatewayError('NOT_FOUND')));

  for (const route of [...ROUTES, ...extraRoutes]) route(app, deps);
  return app;
}
