/**
 * Test helper: a gateway as a child process (`process.execPath gateway/src/main.ts --config f`),
 * for take-over across processes, SIGTERM drain and crash tests. The config is written to a
 * temporary JSON file (test defaults + overrides); env CES_* of the parent is not passed on.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import { testDefaults, TEST_API_TOKEN } from './start-gateway.ts';

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../main.ts');

export interface SpawnedGateway {
  url: string;
  wsUrl: string;
  child: ChildProcess;
  /** Every stdout line so far (pino JSON). */
  logs: string[];
  apiToken: string;
  /** Sends `signal` (default SIGTERM) and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function spawnGateway(overrides: Record<string, unknown> = {}, options: { startTimeoutMs?: number } = {}): Promise<SpawnedGateway> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ces-gw-'));
  const file = path.join(dir, 'config.json');
  const config = { ...testDefaults, log: { level: 'info' }, ...overrides };
  writeFileSync(file, JSON.stringify(config));
  // The child inherits the parent's environment (PATH, CI, …) minus CES_* keys, so only the file configures it.
  // eslint-disable-next-line no-restricted-properties
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CES_')));
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', MAIN, '--config', file], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: string[] = [];
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start: ${stderr}`)), options.startTimeoutMs ?? 20_000);
    let buffered = '';
    child.stdout!.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        logs.push(line);
        const url = listeningUrl(line);
        if (url) {
          clearTimeout(timer);
          resolve(url);
        }
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited with ${code}: ${stderr}`));
    });
  });
  const apiToken = (overrides.auth as { apiToken?: string } | undefined)?.apiToken ?? TEST_API_TOKEN;
  return {
    url,
    wsUrl: url.replace(/^http/, 'ws'),
    child,
    logs,
    apiToken,
    async stop(signal = 'SIGTERM') {
      let code = child.exitCode;
      if (code === null && child.signalCode === null) {
        child.kill(signal);
        [code] = (await once(child, 'exit')) as [number | null];
      }
      rmSync(dir, { recursive: true, force: true });
      return code;
    },
  };
}

/** The URL of the `listening` log line, if `line` is one. */
function listeningUrl(line: string): string | undefined {
  try {
    const entry = JSON.parse(line) as { event?: string; url?: string };
    return entry.event === 'listening' ? entry.url : undefined;
  } catch {
    return undefined; // not a log line
  }
}
