/**
 * Decides whether a registration is authentic (DESIGN.md §3.1) and records it in the store.
 * registry mode: the id must have been minted by POST /api/sessions (it is in the store).
 * jwt mode: `Authorization: Bearer <jwt>` signed with the configured HS256 secret, RS256/ES256
 * public key or JWKS; claims `sid` (= the body's sessionId), `sub` (customerId), `exp`
 * (required), optional `rooms` (string[]). The session lives min(session TTL, token exp).
 */
import { createRemoteJWKSet, importSPKI, jwtVerify, errors as joseErrors, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { GatewayConfig } from '../config/load.ts';
import { GatewayError } from '../errors.ts';
import type { Session, SessionStore } from '../ports/session-store.ts';
import { isValidSessionId } from './session-ids.ts';

export interface SessionAuthenticator {
  /** Registers `sessionId`; throws GatewayError (INVALID_SESSION, SESSION_NOT_FOUND, …) otherwise. */
  register(sessionId: unknown, authorization: string | undefined): Promise<Session>;
}

const ROOM = /^[A-Za-z0-9_.:-]{1,128}$/;

export function createAuthenticator(config: GatewayConfig, store: SessionStore, now: () => number = Date.now): SessionAuthenticator {
  const ttlMs = config.session.ttlSeconds * 1000;
  const verifyKey = config.auth.mode === 'jwt' ? jwtKey(config.auth) : undefined;

  async function registerRegistry(sessionId: string): Promise<Session> {
    const result = await store.register(sessionId);
    if (result.ok) return result.session;
    throw refusal(result.reason);
  }

  async function registerJwt(sessionId: string, authorization: string | undefined): Promise<Session> {
    const token = /^Bearer ([A-Za-z0-9_.-]+)$/.exec(authorization ?? '')?.[1];
    if (!token) throw new GatewayError('UNAUTHORIZED', { message: 'A session token is required: Authorization: Bearer <jwt>' });
    const claims = await verify(token);
    if (claims.sid !== sessionId) throw new GatewayError('UNAUTHORIZED', { message: 'Token does not belong to this session' });
    if (typeof claims.sub !== 'string' || claims.sub.length === 0 || claims.sub.length > 256) throw new GatewayError('UNAUTHORIZED', { message: 'Token has no valid sub claim' });
    const rooms = claims.rooms ?? [];
    if (!Array.isArray(rooms) || rooms.length > 100 || !rooms.every((r) => typeof r === 'string' && ROOM.test(r)))
      throw new GatewayError('UNAUTHORIZED', { message: 'Token rooms claim must be an array of room names' });
    const lifetime = Math.min(ttlMs, claims.exp! * 1000 - now());
    const result = await store.registerClaims({ sessionId, customerId: claims.sub, rooms: rooms as string[], ttlMs: lifetime }, config.session.max);
    if (result.ok) return result.session;
    throw refusal(result.reason);
  }

  async function verify(token: string): Promise<JWTPayload> {
    try {
      const { payload } = await jwtVerify(token, verifyKey as JWTVerifyGetKey, {
        algorithms: ['HS256', 'RS256', 'ES256'],
        requiredClaims: ['exp', 'sid', 'sub'],
        currentDate: new Date(now()),
        ...(config.auth.jwtIssuer ? { issuer: config.auth.jwtIssuer } : {}),
        ...(config.auth.jwtAudience ? { audience: config.auth.jwtAudience } : {}),
      });
      return payload;
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) throw new GatewayError('SESSION_EXPIRED', { message: 'Session token expired', cause: err });
      if (err instanceof joseErrors.JOSEError && !(err instanceof joseErrors.JWKSTimeout)) throw new GatewayError('UNAUTHORIZED', { message: 'Invalid session token', cause: err });
      throw new GatewayError('UNAVAILABLE', { message: 'Cannot verify session token now', cause: err });
    }
  }

  return {
    async register(sessionId, authorization) {
      if (!isValidSessionId(sessionId)) throw new GatewayError('INVALID_SESSION');
      return config.auth.mode === 'jwt' ? registerJwt(sessionId, authorization) : registerRegistry(sessionId);
    },
  };
}

function refusal(reason: 'not_found' | 'expired' | 'revoked' | 'capacity'): GatewayError {
  switch (reason) {
    case 'not_found':
      return new GatewayError('SESSION_NOT_FOUND');
    case 'expired':
      return new GatewayError('SESSION_EXPIRED');
    case 'revoked':
      return new GatewayError('SESSION_REVOKED');
    case 'capacity':
      return new GatewayError('CAPACITY_EXCEEDED');
  }
}

/** The verification key: a getter resolving HS256 secret, PEM public key or JWKS lazily. */
function jwtKey(auth: GatewayConfig['auth']): JWTVerifyGetKey | Uint8Array {
  if (auth.jwksUrl) return createRemoteJWKSet(new URL(auth.jwksUrl), { timeoutDuration: 2000, cooldownDuration: 30_000 });
  const secret = auth.jwtSecret ? new TextEncoder().encode(auth.jwtSecret) : undefined;
  const pem = auth.jwtPublicKey;
  const imported = new Map<string, Promise<CryptoKey>>();
  return async (header) => {
    if (header.alg === 'HS256' && secret) return secret;
    if ((header.alg === 'RS256' || header.alg === 'ES256') && pem) {
      if (!imported.has(header.alg)) {
        // A key of the wrong type for the alg is a token problem (UNAUTHORIZED), not an outage.
        const key = importSPKI(pem, header.alg).catch(() => Promise.reject(new joseErrors.JOSENotSupported(`configured key does not fit ${header.alg}`)));
        imported.set(header.alg, key);
      }
      return imported.get(header.alg)!;
    }
    throw new joseErrors.JOSENotSupported(`algorithm ${header.alg} is not configured`);
  };
}
