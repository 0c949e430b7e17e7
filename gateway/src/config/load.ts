/**
 * loadConfig(argv, env): the only place configuration is read. Sources, later wins: schema
 * defaults → `--config file.(json|yaml)` → `CES_*` env. The result is validated once (strict:
 * unknown keys in the file are errors), checked for cross-key rules, deep-frozen and passed down;
 * nothing else reads env or files. A bad config throws ConfigError naming the key.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import convict from 'convict';
import { parse as parseYaml } from 'yaml';
import { gatewaySchema } from './schema.ts';

type Leaf<L> = L extends { format: readonly (infer U extends string)[] }
  ? U
  : L extends { default: number }
    ? number
    : L extends { default: boolean }
      ? boolean
      : L extends { default: readonly string[] }
        ? readonly string[]
        : string;
/** The config object type, derived from the schema so the two cannot disagree. */
export type ConfigOf<S> = { readonly [K in keyof S]: S[K] extends { default: unknown } ? Leaf<S[K]> : ConfigOf<S[K]> };
export type GatewayConfig = ConfigOf<typeof gatewaySchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** `--config path` / `--config=path`; everything else in argv is ignored by the loader. */
export function configFileFromArgv(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--config') {
      const next = argv[i + 1];
      if (!next || next.startsWith('--')) throw new ConfigError('--config needs a file path');
      return next;
    }
    if (arg.startsWith('--config=')) return arg.slice('--config='.length);
  }
  return undefined;
}

function readConfigFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${file}: ${(err as Error).message}`);
  }
  try {
    return file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new ConfigError(`config file ${file} is not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(err as Error).message}`);
  }
}

/**
 * Builds the frozen config. `overrides` (tests, start-gateway) are applied after the file and
 * before env is NOT re-read: env wins over the file, overrides win over everything.
 */
export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv, overrides: object = {}): GatewayConfig {
  // convict gets no env of its own: env is applied below as a later load, so precedence is explicit.
  const conf = convict(gatewaySchema as convict.Schema<unknown>, { env: {}, args: [] });
  const file = configFileFromArgv(argv);
  try {
    if (file) {
      const fromFile = readConfigFile(file);
      if (fromFile !== null && (typeof fromFile !== 'object' || Array.isArray(fromFile))) throw new ConfigError(`config file ${file} must hold an object`);
      conf.load(fromFile ?? {});
    }
    // Env wins over the file (lists trimmed).
    conf.load(envValues(env));
    conf.load(overrides);
    conf.validate({ allowed: 'strict' });
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`invalid configuration: ${(err as Error).message}`);
  }
  const value = conf.getProperties() as GatewayConfig & { node: string };
  const config = { ...value, node: value.node || `${hostname()}-${process.pid}` };
  checkRules(config);
  return deepFreeze(config);
}

/** The env values the schema maps, as a nested object (so they can be re-applied over the file). */
function envValues(env: NodeJS.ProcessEnv): object {
  const out: Record<string, unknown> = {};
  walk(gatewaySchema, [], (path, leaf) => {
    const name = (leaf as { env?: string }).env;
    const raw = name ? env[name] : undefined;
    if (raw === undefined) return;
    let node = out;
    for (const key of path.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
    node[path.at(-1)!] = coerce(leaf, raw);
  });
  return out;
}

function coerce(leaf: object, raw: string): unknown {
  const format = (leaf as { format?: unknown }).format;
  if (format === Array) return raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (format === Boolean) return raw === 'true' || raw === '1';
  if (format === 'nat' || format === 'port' || format === 'int') return Number(raw);
  return raw;
}

/** Visits every leaf (an object with `doc`) of a convict schema with its dotted path. */
export function walk(schema: object, path: string[], visit: (path: string[], leaf: object) => void): void {
  for (const [key, value] of Object.entries(schema)) {
    if (value && typeof value === 'object' && 'doc' in value) visit([...path, key], value);
    else if (value && typeof value === 'object') walk(value, [...path, key], visit);
  }
}

/** Rules that span keys; each message names the key to fix. */
function checkRules(c: GatewayConfig): void {
  if (c.auth.mode === 'jwt' && !c.auth.jwtSecret && !c.auth.jwtPublicKey && !c.auth.jwksUrl)
    throw new ConfigError('auth.jwtSecret (CES_AUTH_JWT_SECRET), auth.jwtPublicKey or auth.jwksUrl (CES_AUTH_JWKS_URL) is required when auth.mode is jwt');
  if (c.auth.jwtSecret && Buffer.byteLength(c.auth.jwtSecret) < 32) throw new ConfigError('auth.jwtSecret (CES_AUTH_JWT_SECRET) must be at least 32 bytes');
  if (c.auth.jwksUrl) mustBeUrl('auth.jwksUrl', c.auth.jwksUrl, ['http:', 'https:']);
  if (c.http.publicUrl) mustBeUrl('http.publicUrl', c.http.publicUrl, ['http:', 'https:', 'ws:', 'wss:']);
  if (Boolean(c.tls.certFile) !== Boolean(c.tls.keyFile)) throw new ConfigError('tls.certFile and tls.keyFile must be set together');
  if (c.redis.mode === 'cluster' && !c.redis.url) throw new ConfigError('redis.url (CES_REDIS_URL) is required when redis.mode is cluster');
  for (const url of c.redis.url ? c.redis.url.split(',') : []) mustBeUrl('redis.url', url.trim(), ['redis:', 'rediss:']);
  if (c.session.ttlSeconds < 1) throw new ConfigError('session.ttlSeconds (CES_SESSION_TTL_SECONDS) must be at least 1');
  if (c.ws.heartbeatIntervalMs < 10) throw new ConfigError('ws.heartbeatIntervalMs (CES_WS_HEARTBEAT_INTERVAL_MS) must be at least 10');
  if (c.ws.maxFrameBytes < 64) throw new ConfigError('ws.maxFrameBytes (CES_WS_MAX_FRAME_BYTES) must be at least 64');
}

function mustBeUrl(key: string, value: string, protocols: string[]): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${key}: not a URL`);
  }
  if (!protocols.includes(url.protocol)) throw new ConfigError(`${key}: protocol must be one of ${protocols.join(', ')}`);
}

export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** The process's own configuration: argv (`--config`) and env. Only main.ts calls this. */
export function loadProcessConfig(): GatewayConfig {
  return loadConfig(process.argv.slice(2), process.env);
}

/**
 * The process's `OTEL_*` variables, for `tracingEnabled`/`startTracing` in main.ts (the SDK reads
 * endpoint, headers and sampler from the environment itself). Only main.ts calls this.
 */
export function loadProcessOtelEnv(): Readonly<Record<string, string | undefined>> {
  return Object.freeze(Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('OTEL_'))));
}
