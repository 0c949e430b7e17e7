/**
 * Prometheus and promtool from Debian's `prometheus` package. `up` only makes sure the binaries
 * exist (the Debian service is stopped and disabled when we install it); tests that need a live
 * server start a private one with `startPrometheus`, scraping their own targets.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ensureDebPackage } from './apt.ts';
import { componentDir } from './paths.ts';
import { freePort, isOwnedAlive, runOk, spawnDetached, stopOwned, tailOf, waitUntil } from './procs.ts';
import type { Running } from './records.ts';
import { uniqueName } from '../support/infra.ts';

export interface PrometheusBinaries {
  bin: string;
  promtool: string;
}

export const prometheusPackage = { name: 'prometheus', binaries: ['prometheus', 'promtool'], service: 'prometheus' };

/** Absolute paths of prometheus and promtool, installing the package when missing. */
export async function ensurePrometheus(): Promise<Running<PrometheusBinaries>> {
  await ensureDebPackage(prometheusPackage);
  const which = async (cmd: string) => (await runOk('/bin/sh', ['-c', `command -v ${cmd}`])).trim();
  return { state: { bin: await which('prometheus'), promtool: await which('promtool') }, procs: [] };
}

export interface StartPrometheusOptions {
  /** `host:port` of every /metrics endpoint to scrape (job "ces"). */
  scrapeTargets: string[];
  /** Rule files (absolute paths) loaded by the server. @default [] */
  ruleFiles?: string[];
  /** @default '/metrics' */
  metricsPath?: string;
  /** Scrape and rule evaluation interval in milliseconds. @default 1000 (tests should not wait long) */
  intervalMs?: number;
  /** Binaries to use. @default ensurePrometheus() */
  binaries?: PrometheusBinaries;
}

export interface PrometheusInstance {
  /** Base URL, e.g. http://127.0.0.1:41234 (query with `${url}/api/v1/query?query=...`). */
  url: string;
  /** Data and log folder (`.ces/infra/prometheus/<unique>`), removed by `stop`. */
  dir: string;
  stop(): Promise<void>;
}

/** Pure: the server configuration (JSON is valid YAML, so no YAML library is involved). */
export function renderPrometheusConfig(opts: StartPrometheusOptions): string {
  const interval = `${opts.intervalMs ?? 1000}ms`;
  const config = {
    global: { scrape_interval: interval, evaluation_interval: interval, scrape_timeout: interval },
    rule_files: opts.ruleFiles ?? [],
    scrape_configs: [{ job_name: 'ces', metrics_path: opts.metricsPath ?? '/metrics', static_configs: [{ targets: opts.scrapeTargets }] }],
  };
  return JSON.stringify(config, null, 2) + '\n';
}

/**
 * Starts a private Prometheus on a free 127.0.0.1 port and resolves once it reports ready. The
 * server is killed when this process exits, even if the test forgets `stop()`.
 */
export async function startPrometheus(opts: StartPrometheusOptions): Promise<PrometheusInstance> {
  const { bin } = opts.binaries ?? (await ensurePrometheus()).state;
  const dir = path.join(componentDir('prometheus'), uniqueName('p'));
  mkdirSync(path.join(dir, 'data'), { recursive: true });
  const configFile = path.join(dir, 'prometheus.yml');
  writeFileSync(configFile, renderPrometheusConfig(opts));
  const port = await freePort();
  const logFile = path.join(dir, 'prometheus.log');
  const args = [
    `--config.file=${configFile}`,
    `--web.listen-address=127.0.0.1:${port}`,
    `--storage.tsdb.path=${path.join(dir, 'data')}`,
    '--log.level=warn',
  ];
  const proc = await spawnDetached(bin, args, { logFile, marker: configFile });
  const killOnExit = () => {
    if (isOwnedAlive(proc)) process.kill(proc.pid, 'SIGKILL');
  };
  process.once('exit', killOnExit);
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    process.removeListener('exit', killOnExit);
    await stopOwned(proc, 10_000);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntil(`Prometheus on ${url}`, async () => (await fetch(`${url}/-/ready`)).ok, {
      timeoutMs: 30_000,
      intervalMs: 100,
      check: () => {
        if (!isOwnedAlive(proc)) throw new Error(`prometheus exited; ${logFile}:\n${tailOf(logFile)}`);
      },
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, dir, stop };
}
