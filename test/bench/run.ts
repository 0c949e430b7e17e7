/**
 * `npm run bench [-- flags]`: CES, Socket.IO and Centrifugo measured side by side on this machine.
 * Uses the project's Kafka (started through test/infra when it is not running, and stopped again
 * afterwards), prints the table, and writes `<timestamp>.json`, `latest.json`, `latest.md` and
 * `latest.svg` into the results folder. `--help` lists the flags.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { down, up } from '../infra/infra.ts';
import { parseOptions, planScenarios } from './options.ts';
import { runBench } from './bench.ts';
import { markdownReport, targetsTable, textTable, type BenchRun } from './report.ts';
import { renderSvg } from './svg.ts';

const resultsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results');

/** The project's Kafka: reused when it is up and healthy, otherwise started (and later stopped) here. */
async function kafkaBrokers(): Promise<{ brokers: string[]; startedHere: boolean }> {
  const result = await up(['kafka']);
  const brokers = result.state.kafka?.brokers;
  if (!brokers) throw new Error(`Kafka did not start: ${JSON.stringify(result.state.errors)}`);
  const startedHere = result.outcomes.some((o) => o.outcome === 'started');
  if (startedHere) console.log('started Kafka through test/infra; it is stopped again at the end');
  return { brokers, startedHere };
}

function writeResults(run: BenchRun, dir: string): void {
  mkdirSync(dir, { recursive: true });
  const json = JSON.stringify(run, null, 2) + '\n';
  writeFileSync(path.join(dir, `${run.startedAt.replace(/[:.]/g, '-')}.json`), json);
  writeFileSync(path.join(dir, 'latest.json'), json);
  writeFileSync(path.join(dir, 'latest.md'), markdownReport(run));
  const m = run.machine;
  writeFileSync(path.join(dir, 'latest.svg'), renderSvg(run.results, `${run.startedAt.slice(0, 16)}Z, ${m.nproc} cores ${m.cpuModel}, all co-located`));
  console.log(`results written to ${path.relative(process.cwd(), dir) || '.'}/ (latest.json, latest.md, latest.svg)`);
}

async function main(): Promise<void> {
  const parsed = parseOptions(process.argv.slice(2), resultsDir);
  if ('help' in parsed) {
    console.log(parsed.help);
    return;
  }
  const plans = planScenarios(parsed);
  console.log(`systems: ${parsed.systems.join(', ')}; gateways per system: ${parsed.gateways}; client workers: ${parsed.workers}`);
  for (const p of plans) console.log(`  ${p.title}; ${p.durationMs / 1000} s measured after ${p.warmupMs / 1000} s warm-up`);
  const kafka = await kafkaBrokers();
  try {
    const run = await runBench(parsed, kafka.brokers);
    console.log('\n' + textTable(run.results));
    for (const n of run.notRun) console.log(`not run: ${n.system}${n.scenario ? ` / ${n.scenario}` : ''}: ${n.reason}`);
    console.log('\n' + targetsTable(run.results));
    if (parsed.out) writeResults(run, parsed.out);
    if (run.results.length === 0) process.exitCode = 1;
  } finally {
    if (kafka.startedHere) await down(['kafka']);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
