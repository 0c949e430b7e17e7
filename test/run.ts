/**
 * What `npm test` runs after lint and typecheck (scripts/test.sh):
 *
 *   1. bring the real infrastructure up (reusing healthy running servers) and print how long it took;
 *   2. run every `*.test.ts` (or those matching `npm test -- <file|dir|substring>...`) with node:test,
 *      CES_INFRA_STATE pointing at the state file;
 *   3. stop what this run started — also on failure and on SIGINT/SIGTERM — unless another test run
 *      is still using it.
 *
 * Under CI=true a component that fails to start fails the run (exit 1) with the reason; locally the
 * affected suites skip with a loud line. Otherwise the exit code is node:test's, and its summary is
 * the last thing printed.
 *
 * Knobs (env): CES_TEST_CONCURRENCY (default 3 files at once), CES_TEST_TIMEOUT_MS (per test
 * and hook, default 120000), CES_INFRA_COMPONENTS (comma list, default all). Arguments starting with `--`
 * go to node --test (e.g. --test-name-pattern=redis).
 */
import { spawn } from 'node:child_process';
import type { Component } from './support/infra.ts';
import { repoRoot, stateFile } from './support/infra.ts';
import { filterTestFiles, findTestFiles } from './support/discover.ts';
import { allComponents, down, isComponent, takeLease, up } from './infra/infra.ts';
import { hideKafkajsTimerWarning } from './infra/warnings.ts';

const ci = process.env.CI === 'true';
hideKafkajsTimerWarning();

function wantedComponents(): Component[] {
  const raw = process.env.CES_INFRA_COMPONENTS;
  if (!raw) return [...allComponents];
  const names = raw.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = names.filter((n) => !isComponent(n));
  if (bad.length) throw new Error(`CES_INFRA_COMPONENTS: unknown component(s) ${bad.join(', ')}`);
  return names as Component[];
}

async function startInfra(): Promise<{ started: Component[]; failed: boolean }> {
  const t0 = Date.now();
  console.log('infra: starting (first run downloads and builds; see docs/testing.md)...');
  const { outcomes } = await up(wantedComponents());
  for (const o of outcomes) {
    const line = `infra: ${o.component.padEnd(13)} ${o.outcome.padEnd(8)} ${(o.ms / 1000).toFixed(1)}s`;
    if (!o.error) console.log(line);
    else if (ci) console.error(`${line}\nFAIL infrastructure "${o.component}" did not start (CI=true fails the run): ${o.error}`);
    else console.error(`${line}\n${'!'.repeat(100)}\nSKIP tests needing "${o.component}": it did not start: ${o.error}\n${'!'.repeat(100)}`);
  }
  console.log(`infra: ready in ${((Date.now() - t0) / 1000).toFixed(1)}s (state: ${stateFile()})`);
  return { started: outcomes.filter((o) => o.outcome === 'started').map((o) => o.component), failed: outcomes.some((o) => o.error) };
}

function concurrency(): number {
  return Number(process.env.CES_TEST_CONCURRENCY ?? 3);
}

async function runTests(files: string[], nodeArgs: string[], signals: { child?: ReturnType<typeof spawn> }): Promise<number> {
  const args = [
    '--disable-warning=ExperimentalWarning',
    // kafkajs 2.2.4 (unmaintained) passes negative delays to setTimeout on every request round;
    // Node 24 warns about each process's first one. Harmless, and it buries real output.
    '--disable-warning=TimeoutNegativeWarning',
    '--test',
    `--test-concurrency=${concurrency()}`,
    `--test-timeout=${Number(process.env.CES_TEST_TIMEOUT_MS ?? 120_000)}`,
    // A file whose tests are done but that leaks a handle (an unclosed client) would otherwise keep
    // the whole run waiting forever. The leak itself goes unreported here: running the single file
    // with plain `node --test` shows it (the file never exits).
    '--test-force-exit',
    '--test-reporter=spec',
    ...nodeArgs,
    ...files,
  ];
  const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: 'inherit', env: { ...process.env, CES_INFRA_STATE: stateFile() } });
  signals.child = child;
  return await new Promise((resolve) => {
    child.once('error', (err) => {
      console.error(`cannot start node --test: ${err.message}`);
      resolve(1);
    });
    child.once('close', (code, signal) => resolve(code ?? (signal === 'SIGINT' ? 130 : 143)));
  });
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const nodeArgs = argv.filter((a) => a.startsWith('--'));
  const filters = argv.filter((a) => !a.startsWith('--'));
  const files = filterTestFiles(findTestFiles(repoRoot), filters, repoRoot);
  if (files.length === 0) {
    console.error(`no test files match ${filters.join(' ')}`);
    return 1;
  }

  const releaseLease = takeLease();
  const signals: { child?: ReturnType<typeof spawn>; received?: NodeJS.Signals } = {};
  const onSignal = (sig: NodeJS.Signals) => {
    // The first signal ends the tests; cleanup still runs. A second one is left to the default handler.
    signals.received = sig;
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    signals.child?.kill(sig);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let started: Component[] = [];
  try {
    const infra = await startInfra();
    started = infra.started;
    if (infra.failed && ci) return 1;
    if (signals.received) return 130;
    return await runTests(files, nodeArgs, signals);
  } finally {
    releaseLease();
    // Quiet on success: node:test's summary stays the last thing on screen.
    if (started.length) await down(started, { unlessLeased: true }).catch((err: unknown) => console.error(`infra: stopping ${started.join(' ')} failed: ${String(err)}`));
  }
}

main().then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exitCode = 1;
  },
);
