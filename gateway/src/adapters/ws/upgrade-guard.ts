/**
 * Decides, before any WebSocket handshake, whether `GET /ws/{sessionId}` may upgrade. Order:
 * draining → path → credentials in the URL → Origin allowlist → id format → per-IP rate limit →
 * resume parameter → session state. A refusal is a GatewayError whose status and JSON body are
 * written on the raw socket (refuse()), so a refused client never gets a socket or a message.
 */
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ResumePositions } from '@ces/contracts/protocol';
import type { UpgradeOutcome } from '@ces/contracts/metrics';
import { GatewayError, errorBody, type ErrorCode } from '../../errors.ts';
import { isValidSessionId } from '../../auth/session-ids.ts';
import type { Session, SessionStore } from '../../ports/session-store.ts';
import type { RateLimiter } from '../../ports/rate-limiter.ts';
import { hasCredentialInQuery } from '../http/server.ts';
import { parseResume } from './client-frames.ts';

export interface GuardDeps {
  sessions: SessionStore;
  connectLimiter: RateLimiter;
  allowedOrigins: readonly string[];
  isDraining: () => boolean;
}

export interface Admitted {
  session: Session;
  resume: ResumePositions;
}

const WS_PATH = /^\/ws\/([^/]+)$/;

export const UPGRADE_OUTCOMES: Partial<Record<ErrorCode, UpgradeOutcome>> = {
  SHUTTING_DOWN: 'draining',
  FORBIDDEN_ORIGIN: 'forbidden_origin',
  RATE_LIMITED: 'rate_limited',
  CAPACITY_EXCEEDED: 'capacity',
  UNAVAILABLE: 'error',
  INTERNAL: 'error',
};

export function originAllowed(origin: string | undefined, allowed: readonly string[]): boolean {
  if (origin === undefined) return true; // non-browser clients send none; browsers always do
  return allowed.includes('*') || allowed.includes(origin);
}

export async function admit(req: IncomingMessage, ip: string, deps: GuardDeps): Promise<Admitted> {
  if (deps.isDraining()) throw new GatewayError('SHUTTING_DOWN');
  const url = new URL(req.url ?? '/', 'http://gateway');
  const match = WS_PATH.exec(url.pathname);
  if (!match) throw new GatewayError('NOT_FOUND');
  if (hasCredentialInQuery(req.url)) throw new GatewayError('TOKEN_IN_URL');
  if (!originAllowed(req.headers.origin, deps.allowedOrigins)) throw new GatewayError('FORBIDDEN_ORIGIN');
  let sessionId: string;
  try {
    sessionId = decodeURIComponent(match[1]!);
  } catch {
    throw new GatewayError('INVALID_SESSION');
  }
  if (!isValidSessionId(sessionId)) throw new GatewayError('INVALID_SESSION');
  const decision = await deps.connectLimiter.consume(ip);
  if (!decision.allowed) throw new GatewayError('RATE_LIMITED', { retryAfterSeconds: Math.ceil(decision.retryAfterMs / 1000) });
  const resume = parseResume(url.searchParams.get('resume'));
  if ('invalid' in resume) throw new GatewayError('INVALID_REQUEST', { message: `Invalid resume parameter: ${resume.message}` });
  const session = await deps.sessions.get(sessionId);
  if (!session) throw new GatewayError('SESSION_NOT_FOUND');
  if (session.state === 'created') throw new GatewayError('SESSION_NOT_REGISTERED');
  if (session.state === 'revoked') throw new GatewayError('SESSION_REVOKED');
  if (session.state === 'expired') throw new GatewayError('SESSION_EXPIRED');
  return { session, resume: resume as ResumePositions };
}

/** Writes the HTTP refusal with the JSON error body and closes the socket. */
export function refuse(socket: Duplex, err: GatewayError): void {
  if (socket.destroyed) return;
  const body = JSON.stringify(errorBody(err));
  const headers = [
    `HTTP/1.1 ${err.status} ${STATUS_CODES[err.status] ?? 'Error'}`,
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    ...(err.retryAfterSeconds !== undefined ? [`Retry-After: ${err.retryAfterSeconds}`] : []),
  ];
  socket.end(`${headers.join('\r\n')}\r\n\r\n${body}`);
}
