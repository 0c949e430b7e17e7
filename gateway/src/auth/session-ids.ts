/**
 * Session id format. Minted ids are 24 random bytes (192 bits) in base64url (32 chars); ids from
 * JWT issuers must look alike: 22–128 base64url characters (≥128 bits when random). The
 * alphabet excludes `{`, `}` and `:`, which keeps ids safe inside Redis keys and hash tags.
 */
import { randomBytes } from 'node:crypto';

const SESSION_ID = /^[A-Za-z0-9_-]{22,128}$/;

export function isValidSessionId(value: unknown): value is string {
  return typeof value === 'string' && SESSION_ID.test(value);
}

export function mintSessionId(): string {
  return randomBytes(24).toString('base64url');
}
