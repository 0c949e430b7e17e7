/**
 * The one convict schema of the gateway (DESIGN.md §3.6). Every key has a doc, a format, a
 * default (units in the key name) and a `CES_*` env name; secrets are `sensitive`, so convict
 * masks them in `toString()`. The reference page docs/configuration.md is generated from this
 * object (`npm run -w @ces/gateway docs:config`) and a test fails when it drifts.
 */
import { deliverySchema } from './delivery-schema.ts';

const edgeSchema = {
  node: {
    doc: 'Name of this gateway process (pod name in Kubernetes). Shown in welcome frames; used to route take-over and revocation messages. Empty means hostname-pid.',
    format: String,
    default: '',
    env: 'CES_NODE_NAME',
  },
  stream: {
    name: {
      doc: 'Name of the CesStream this gateway serves; the value of the `stream` label on every metric series (the operator sets it).',
      format: String,
      default: 'default',
      env: 'CES_STREAM_NAME',
    },
  },
  http: {
    host: { doc: 'Interface the HTTP/WebSocket server listens on.', format: String, default: '0.0.0.0', env: 'CES_HOST' },
    port: { doc: 'TCP port of the HTTP/WebSocket server (0 picks a free port).', format: 'port', default: 8080, env: 'CES_PORT' },
    publicUrl: {
      doc: 'Base URL clients reach this fleet at (the ingress). `websocketUrl` in registration answers is built from it (http→ws, https→wss). Empty means http://<host>:<port>.',
      format: String,
      default: '',
      env: 'CES_PUBLIC_URL',
    },
    bodyLimitBytes: { doc: 'Largest accepted HTTP request body; larger bodies get 413 PAYLOAD_TOO_LARGE.', format: 'nat', default: 16384, env: 'CES_HTTP_BODY_LIMIT_BYTES' },
    headersTimeoutMs: {
      doc: 'Time a client has to send complete request headers (also for WebSocket upgrades): the slow-loris guard.',
      format: 'nat',
      default: 10000,
      env: 'CES_HTTP_HEADERS_TIMEOUT_MS',
    },
    requestTimeoutMs: { doc: 'Time a client has to send a complete request.', format: 'nat', default: 30000, env: 'CES_HTTP_REQUEST_TIMEOUT_MS' },
    timeoutCheckIntervalMs: {
      doc: 'How often Node checks the headers/request timeouts. Keep it at or below headersTimeoutMs.',
      format: 'nat',
      default: 5000,
      env: 'CES_HTTP_TIMEOUT_CHECK_INTERVAL_MS',
    },
    trustProxy: { doc: 'Trust X-Forwarded-For from the ingress when deriving the client IP for rate limits.', format: Boolean, default: false, env: 'CES_HTTP_TRUST_PROXY' },
  },
  tls: {
    certFile: { doc: 'PEM certificate chain; with keyFile the gateway serves https:// and wss://. Production usually terminates TLS at the ingress instead.', format: String, default: '', env: 'CES_TLS_CERT_FILE' },
    keyFile: { doc: 'PEM private key for certFile.', format: String, default: '', env: 'CES_TLS_KEY_FILE', sensitive: true },
  },
  redis: {
    url: {
      doc: 'Redis URL(s). Empty runs single-node on in-memory stores. Cluster mode: comma-separated seed node URLs.',
      format: String,
      default: '',
      env: 'CES_REDIS_URL',
      sensitive: true,
    },
    mode: { doc: 'standalone or cluster (Redis Cluster; sharded pub/sub).', format: ['standalone', 'cluster'], default: 'standalone', env: 'CES_REDIS_MODE' },
    keyPrefix: { doc: 'Prefix of every Redis key and pub/sub channel of this stream (one per CesStream; tests use a unique one).', format: String, default: 'ces', env: 'CES_REDIS_KEY_PREFIX' },
    commandTimeoutMs: { doc: 'A Redis command that takes longer fails (and is reported as UNAVAILABLE).', format: 'nat', default: 2000, env: 'CES_REDIS_COMMAND_TIMEOUT_MS' },
  },
  auth: {
    mode: {
      doc: 'registry: sessions are minted by POST /api/sessions (backend). jwt: sessions are carried in a JWT (claims sid, sub, exp, rooms) sent as Authorization: Bearer with POST /api/register.',
      format: ['registry', 'jwt'],
      default: 'registry',
      env: 'CES_AUTH_MODE',
    },
    jwtSecret: { doc: 'HS256 secret (jwt mode), at least 32 bytes.', format: String, default: '', env: 'CES_AUTH_JWT_SECRET', sensitive: true },
    jwtPublicKey: { doc: 'RS256/ES256 public key in PEM (SPKI) (jwt mode).', format: String, default: '', env: 'CES_AUTH_JWT_PUBLIC_KEY' },
    jwksUrl: { doc: 'JWKS URL for RS256/ES256 keys (jwt mode).', format: String, default: '', env: 'CES_AUTH_JWKS_URL' },
    jwtIssuer: { doc: 'Required `iss` claim (jwt mode); empty accepts any.', format: String, default: '', env: 'CES_AUTH_JWT_ISSUER' },
    jwtAudience: { doc: 'Required `aud` claim (jwt mode); empty accepts any.', format: String, default: '', env: 'CES_AUTH_JWT_AUDIENCE' },
    apiToken: {
      doc: 'Bearer token for backend and admin endpoints (/api/sessions, /api/push, /admin/*). Empty disables those endpoints (401).',
      format: String,
      default: '',
      env: 'CES_API_TOKEN',
      sensitive: true,
    },
  },
  session: {
    ttlSeconds: { doc: 'Session lifetime; refreshed while a connection is open, kept this long after disconnect.', format: 'nat', default: 300, env: 'CES_SESSION_TTL_SECONDS' },
    max: { doc: 'Maximum live (unexpired, unrevoked) sessions of the stream; more get 503 CAPACITY_EXCEEDED.', format: 'nat', default: 100000, env: 'CES_SESSION_MAX' },
    tombstoneSeconds: {
      doc: 'How long an expired or revoked session is remembered, so that it is refused as SESSION_EXPIRED / SESSION_REVOKED rather than SESSION_NOT_FOUND.',
      format: 'nat',
      default: 3600,
      env: 'CES_SESSION_TOMBSTONE_SECONDS',
    },
    sweepIntervalMs: { doc: 'How often expired sessions are removed from the session count (Redis TTLs remove the data).', format: 'nat', default: 60000, env: 'CES_SESSION_SWEEP_INTERVAL_MS' },
  },
  ws: {
    heartbeatIntervalMs: { doc: 'Server ping interval; a peer that has not answered the previous ping is terminated.', format: 'nat', default: 25000, env: 'CES_WS_HEARTBEAT_INTERVAL_MS' },
    maxFrameBytes: { doc: 'Largest client frame; larger closes with 4504 (frames over twice this are cut off by the protocol layer with 1009).', format: 'nat', default: 65536, env: 'CES_WS_MAX_FRAME_BYTES' },
    outboundQueueMaxBytes: { doc: 'Bytes queued for one socket before it is closed as a slow consumer (4001).', format: 'nat', default: 1048576, env: 'CES_WS_OUTBOUND_QUEUE_MAX_BYTES' },
    maxInvalidFrames: { doc: 'Invalid client frames tolerated per connection (each answered with an error frame) before a 4500 close.', format: 'nat', default: 5, env: 'CES_WS_MAX_INVALID_FRAMES' },
    allowedOrigins: {
      doc: 'Origins allowed to open a WebSocket (comma-separated; "*" allows any). Requests without an Origin header (non-browser clients) are allowed.',
      format: Array,
      default: ['*'],
      env: 'CES_ALLOWED_ORIGINS',
    },
    drainGraceMs: { doc: 'On SIGTERM: time to close sockets and finish in-flight work before the process exits anyway.', format: 'nat', default: 10000, env: 'CES_DRAIN_GRACE_MS' },
  },
  rateLimit: {
    registerPerIpPerMinute: { doc: 'POST /api/register calls per client IP per minute (fleet-wide); 0 disables.', format: 'nat', default: 60, env: 'CES_RATE_LIMIT_REGISTER_PER_IP_PER_MINUTE' },
    connectPerIpPerMinute: { doc: 'WebSocket upgrades per client IP per minute (fleet-wide); 0 disables.', format: 'nat', default: 120, env: 'CES_RATE_LIMIT_CONNECT_PER_IP_PER_MINUTE' },
    framesPerSessionPerSecond: {
      doc: 'Client frames per session per second; over it the socket closes with 4004 (try later). Per connection, which is per session (one live connection per session); 0 disables.',
      format: 'nat',
      default: 50,
      env: 'CES_RATE_LIMIT_FRAMES_PER_SESSION_PER_SECOND',
    },
  },
  log: {
    level: { doc: 'pino log level.', format: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info', env: 'CES_LOG_LEVEL' },
  },
} as const;

export const gatewaySchema = { ...edgeSchema, ...deliverySchema } as const;
