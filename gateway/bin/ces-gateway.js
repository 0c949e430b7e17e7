#!/usr/bin/env node
// ces-gateway [--config file.(json|yaml)]: runs gateway/src/main.ts on Node 24 (TypeScript type
// stripping, no build step). If this Node is not 24, re-executes through scripts/node.sh, which
// installs Node 24 into the per-user cache once.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const main = path.join(here, '..', 'src', 'main.ts');
const major = Number(process.versions.node.split('.')[0]);
const [cmd, args] =
  major === 24
    ? [process.execPath, ['--disable-warning=ExperimentalWarning', main, ...process.argv.slice(2)]]
    : ['bash', [path.join(here, '..', '..', 'scripts', 'node.sh'), main, ...process.argv.slice(2)]];
const child = spawn(cmd, args, { stdio: 'inherit' });
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
