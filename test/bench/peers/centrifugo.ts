/**
 * The Centrifugo peer: built from Go modules into the per-user cache (once; later runs reuse it),
 * started with a generated config: Redis engine, a `bench` namespace with history and forced
 * recovery, and its built-in Kafka consumer on the bench topic in publication data mode (the record
 * value is the publication data; the target channel comes from the `centrifugo-channels` header,
 * set per target in systems/centrifugo.ts).
 *
 * Version: 6.9.6. The Go module proxy reachable from this machine serves only some v6 tags (of
 * v6.0.0–v6.12.x it served v6.9.1 and v6.9.6; `@v/list` and `@latest` are refused). v6.9.1 does
 * not build here: its go.mod pins an untagged github.com/centrifugal/centrifuge pseudo-version the
 * proxy refuses (403). v6.9.6 pins centrifuge v0.39.2-0.20260914154348-ee33344b78aa, which is
 * served, and resolves and builds completely. v6 needs Go ≥ 1.26 (its go.mod says go 1.26.0).
 *
 * Client auth: `client.insecure` — clients connect without a JWT. Token checks happen once per
 * connect, outside what the bench measures, and skipping them keeps the load processes simple.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

export const CENTRIFUGO_VERSION = '6.9.6';
export const CENTRIFUGO_NAMESPACE = 'bench';

function cacheDir(): string {
  const base = process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache');
  return path.join(base, 'ces', `centrifugo-${CENTRIFUGO_VERSION}`);
}

const GO_MOD = `module cesbench/centrifugo

go 1.26

require github.com/centrifugal/centrifugo/v6 v${CENTRIFUGO_VERSION}
`;

/**
 * Path of the Centrifugo binary, building it first when the cache lacks it. Builds are serialized
 * across processes with flock and marked done only after success, so a killed build is redone.
 * `go build` inside a one-line wrapper module, not `go install pkg@version`: the latter asks the
 * proxy for the module's version list (deprecation check), which this proxy refuses.
 */
export function ensureCentrifugo(log: (line: string) => void = () => {}): string {
  const dir = cacheDir();
  const bin = path.join(dir, 'bin', 'centrifugo');
  const marker = path.join(dir, '.built');
  if (existsSync(marker) && existsSync(bin)) return bin;
  mkdirSync(path.join(dir, 'src'), { recursive: true });
  writeFileSync(path.join(dir, 'src', 'go.mod'), GO_MOD);
  log(`building Centrifugo ${CENTRIFUGO_VERSION} from Go modules into ${dir} (several minutes on 2 cores; log: ${dir}/build.log)`);
  const ldflags = `-s -w -X github.com/centrifugal/centrifugo/v6/internal/build.Version=${CENTRIFUGO_VERSION}`;
  // Another process may have finished the build while this one waited for the lock.
  const script = `[ -f "${marker}" ] && exit 0; ` + [
    `cd "${dir}/src"`,
    `CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-mod=mod nice -n 10 go build -trimpath -ldflags "${ldflags}" -o "${bin}" github.com/centrifugal/centrifugo/v6 > "${dir}/build.log" 2>&1`,
    `touch "${marker}"`,
  ].join(' && ');
  const r = spawnSync('flock', [path.join(dir, '.build.lock'), 'sh', '-c', script], { stdio: 'inherit' });
  if (r.status !== 0 || !existsSync(bin)) throw new Error(`Centrifugo build failed (exit ${r.status}); see ${dir}/build.log`);
  return bin;
}

export interface CentrifugoOptions {
  port: number;
  redisUrl: string;
  /** Redis key prefix, unique per run. */
  prefix: string;
  brokers: string[];
  topic: string;
  group: string;
  /** History entries per channel (same as the CES history cap). */
  historySize: number;
}

/** Kafka header naming the channel(s) of a record in publication data mode (v6 default name). */
export const CENTRIFUGO_CHANNELS_HEADER = 'centrifugo-channels';

/** The generated config (v6 nested schema; passes `centrifugo checkconfig --strict`). */
export function centrifugoConfig(o: CentrifugoOptions): Record<string, unknown> {
  return {
    http_server: { address: '127.0.0.1', port: o.port },
    log: { level: 'error' },
    engine: { type: 'redis', redis: { address: [o.redisUrl], prefix: o.prefix } },
    client: { insecure: true, allowed_origins: ['*'] },
    http_api: { key: 'bench-api-key' },
    health: { enabled: true },
    prometheus: { enabled: true },
    usage_stats: { disabled: true },
    channel: {
      namespaces: [
        {
          name: CENTRIFUGO_NAMESPACE,
          allow_subscribe_for_client: true,
          history_size: o.historySize,
          history_ttl: '300s',
          force_recovery: true,
        },
      ],
    },
    consumers: [
      {
        name: 'kafka_bench',
        enabled: true,
        type: 'kafka',
        kafka: {
          brokers: o.brokers,
          topics: [o.topic],
          consumer_group: o.group,
          publication_data_mode: { enabled: true, channels_header: CENTRIFUGO_CHANNELS_HEADER },
        },
      },
    ],
  };
}

export interface RunningCentrifugo {
  process: ChildProcess;
  url: string;
  stop(): Promise<void>;
}

/** Starts one Centrifugo node and waits until /health answers. */
export async function startCentrifugo(bin: string, o: CentrifugoOptions, workDir: string): Promise<RunningCentrifugo> {
  mkdirSync(workDir, { recursive: true });
  const configPath = path.join(workDir, `centrifugo-${o.port}.json`);
  writeFileSync(configPath, JSON.stringify(centrifugoConfig(o), null, 2));
  const child = spawn(bin, ['-c', configPath], { stdio: ['ignore', 'inherit', 'inherit'] });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`centrifugo exited with ${child.exitCode}`);
    const ok = await fetch(`http://127.0.0.1:${o.port}/health`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error('centrifugo did not become healthy within 30 s');
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    process: child,
    url: `ws://127.0.0.1:${o.port}/connection/websocket`,
    stop: () => stopChild(child),
  };
}

export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
