/**
 * The gateway's one error catalogue. Every refusal a client or backend can see has a stable
 * `errorCode` (the seed 000 §6.1 field), an HTTP status, and whether retrying the same request
 * later can succeed. HTTP answers are always `{status: "error", message, errorCode}`; WebSocket
 * upgrade refusals use the same body before the upgrade. Codes are append-only.
 * docs/gateway-edge.md lists them; errors.test.ts fails when one is undocumented.
 */
export const ErrorCatalogue = {
  INVALID_REQUEST: { status: 400, retriable: false, message: 'Malformed request' },
  INVALID_SESSION: { status: 400, retriable: false, message: 'Invalid session ID' },
  TOKEN_IN_URL: { status: 400, retriable: false, message: 'Credentials must not be sent in the URL; use the Authorization header' },
  UNAUTHORIZED: { status: 401, retriable: false, message: 'Unauthorized' },
  FORBIDDEN_ORIGIN: { status: 403, retriable: false, message: 'Origin not allowed' },
  SESSION_REVOKED: { status: 403, retriable: false, message: 'Session was revoked' },
  SESSION_NOT_FOUND: { status: 404, retriable: false, message: 'Session not found' },
  SESSION_NOT_REGISTERED: { status: 403, retriable: false, message: 'Session is not registered; call POST /api/register first' },
  NOT_FOUND: { status: 404, retriable: false, message: 'Not found' },
  METHOD_NOT_ALLOWED: { status: 405, retriable: false, message: 'Method not allowed' },
  SESSION_EXPIRED: { status: 410, retriable: false, message: 'Session expired' },
  PAYLOAD_TOO_LARGE: { status: 413, retriable: false, message: 'Request body too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, retriable: false, message: 'Content-Type must be application/json' },
  UPGRADE_REQUIRED: { status: 426, retriable: false, message: 'WebSocket upgrade required' },
  RATE_LIMITED: { status: 429, retriable: true, message: 'Too many requests' },
  INTERNAL: { status: 500, retriable: true, message: 'Internal error' },
  CAPACITY_EXCEEDED: { status: 503, retriable: true, message: 'Maximum number of sessions reached' },
  UNAVAILABLE: { status: 503, retriable: true, message: 'A dependency is unavailable' },
  SHUTTING_DOWN: { status: 503, retriable: true, message: 'Gateway is shutting down; connect to another instance' },
} as const satisfies Record<string, { status: number; retriable: boolean; message: string }>;

export type ErrorCode = keyof typeof ErrorCatalogue;

export class GatewayError extends Error {
  override name = 'GatewayError';
  readonly code: ErrorCode;
  readonly status: number;
  readonly retriable: boolean;
  /** Seconds a client should wait (Retry-After) for RATE_LIMITED and friends. */
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, options: { message?: string; cause?: unknown; retryAfterSeconds?: number } = {}) {
    super(options.message ?? ErrorCatalogue[code].message, { cause: options.cause });
    this.code = code;
    this.status = ErrorCatalogue[code].status;
    this.retriable = ErrorCatalogue[code].retriable;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export function isGatewayError(err: unknown): err is GatewayError {
  return err instanceof GatewayError;
}

/** The JSON error body of seed 000 §6.1. */
export interface ErrorBody {
  status: 'error';
  message: string;
  errorCode: ErrorCode;
}

export function errorBody(err: GatewayError): ErrorBody {
  return { status: 'error', message: err.message, errorCode: err.code };
}
