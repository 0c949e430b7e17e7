/**
 * npm run infra -- up [component...]    start (or reuse) components, leave them running, write state.json
 * npm run infra -- down [component...]  stop what `up` started (also stale records)
 * npm run infra -- status               what runs now, checked live
 * npm run infra -- env                  shell exports: eval "$(npm run --silent infra -- env)"
 *
 * Components: kafka redis redisCluster prometheus kube helm (default: all).
 * Exit code of `up` is 1 when a requested component failed under CI=true, else 0.
 */
import type { Component } from '../support/infra.ts';
import { readInfra, stateFile } from '../support/infra.ts';
import { allComponents, down, envExports, isComponent, status, up } from './infra.ts';
import { hideKafkajsTimerWarning } from './warnings.ts';

hideKafkajsTimerWarning();

function parseComponents(args: string[]): Component[] {
  if (args.length === 0) return [...allComponents];
  const bad = args.filter((a) => !isComponent(a));
  if (bad.length) throw new Error(`unknown component(s) ${bad.join(', ')}; known: ${allComponents.join(' ')}`);
  return args as Component[];
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'up': {
      const t0 = Date.now();
      const { outcomes } = await up(parseComponents(rest));
      for (const o of outcomes) {
        const line = `${o.component.padEnd(13)} ${o.outcome.padEnd(8)} ${(o.ms / 1000).toFixed(1)}s${o.error ? `  ${o.error}` : ''}`;
        (o.error ? console.error : console.log)(line);
      }
      console.log(`infra up in ${((Date.now() - t0) / 1000).toFixed(1)}s; state: ${stateFile()}`);
      return outcomes.some((o) => o.error) && process.env.CI === 'true' ? 1 : 0;
    }
    case 'down': {
      const stopped = await down(parseComponents(rest));
      console.log(stopped.length ? `stopped: ${stopped.join(' ')}` : 'nothing was running');
      return 0;
    }
    case 'status': {
      for (const s of await status()) {
        const word = s.healthy ? 'healthy' : s.running ? 'UNHEALTHY' : 'down';
        console.log(`${s.component.padEnd(13)} ${word.padEnd(9)} ${s.detail}`);
      }
      return 0;
    }
    case 'env':
      console.log(envExports(readInfra()).join('\n'));
      return 0;
    default:
      console.error('usage: npm run infra -- up|down|status|env [component...]');
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  },
);
