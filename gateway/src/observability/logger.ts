/**
 * The root pino logger (JSON lines). Components take `logger.child({ component })`. Secrets never
 * reach logs: session ids are logged only as `fingerprint(id)`, tokens never, and the redact list
 * below is a backstop for headers that carry credentials.
 */
import { createHash } from 'node:crypto';
import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

export function createLogger(options: { level: string; node: string }, destination?: DestinationStream): Logger {
  return pino(
    {
      level: options.level,
      base: { node: options.node },
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization', 'token', 'sessionId'], censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

/** A short, stable, non-reversible handle for a session id in logs: first 8 hex of sha256. */
export function fingerprint(sessionId: string): string {
  return createHash('sha256').update(sessionId).digest('hex').slice(0, 8);
}
