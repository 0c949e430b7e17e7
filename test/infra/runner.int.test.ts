/**
 * test/run.ts end to end: it starts infrastructure, runs node:test, passes its exit code through,
 * prints the summary last, stops what it started (also after SIGINT), and under CI=true refuses to
 * run when a component cannot start. Uses a private infra folder with only Redis, and fixture test
 * files in a temp folder, so the shared servers and the real test suite are not involved.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { needs, repoRoot, type InfraState } from '../support/infra.ts';
import { redisPing } from './redis.ts';

const redis = needs('redis');
const runner = path.join(repoRoot, 'test', 'run.ts');

interface RunOutcome {
  code: number | null;
  out: string;
}

describe('test runner (test/run.ts)', { skip: redis.skip }, () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const fixture = (name: string, body: string) => {
    const file = path.join(dir, name);
    writeFileSync(file, `import { it } from 'node:test';\n${body}\n`);
    return file;
  };
  const lastState = () => JSON.parse(readFileSync(path.join(dir, 'state.json'), 'utf8')) as InfraState;

  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'ces-runner-'));
    env = { ...process.env, CES_INFRA_DIR: dir, CES_INFRA_STATE: path.join(dir, 'state.json'), CES_INFRA_COMPONENTS: 'redis' };
    delete env.CI;
    delete env.NODE_TEST_CONTEXT; // otherwise the inner node --test reports to this runner, not to stdout
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function runRunner(args: string[], extraEnv: NodeJS.ProcessEnv = {}, onOutput?: (out: string, child: ReturnType<typeof spawn>) => void): Promise<RunOutcome> {
    const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', runner, ...args], {
      cwd: repoRoot,
      env: { ...env, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const collect = (d: Buffer) => {
      out += d.toString();
      onOutput?.(out, child);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    return new Promise((resolve) => child.once('close', (code) => resolve({ code, out })));
  }

  it('runs the selected files with the infra state, prints the summary last, and stops what it started', async () => {
    const file = fixture('pass.test.ts', `it('sees the state file', () => { if (!process.env.CES_INFRA_STATE?.endsWith('state.json')) throw new Error('no state'); });`);
    const { code, out } = await runRunner([file]);
    assert.equal(code, 0, out);
    assert.match(out, /infra: redis +started/);
    assert.match(out, /infra: ready in \d+\.\ds/);
    assert.match(out.trimEnd().split('\n').at(-1) ?? '', /^ℹ duration_ms /);
    assert.match(out, /ℹ pass 1/);
    assert.equal(existsSync(path.join(dir, 'redis.json')), false, 'redis record left behind');
    assert.equal(lastState().redis, undefined);
  });

  it('passes a failing test run’s exit code through', async () => {
    const file = fixture('fail.test.ts', `it('fails', () => { throw new Error('expected failure'); });`);
    const { code, out } = await runRunner([file]);
    assert.equal(code, 1, out);
    assert.match(out, /ℹ fail 1/);
  });

  it('under CI=true a component that cannot start fails the run before any test runs', async () => {
    const file = fixture('never.test.ts', `it('must not run', () => { console.log('RAN-THE-TEST'); });`);
    // Kafka 4.x is refused by the jar fetcher at once: a fast, real start failure.
    const { code, out } = await runRunner([file], { CI: 'true', CES_INFRA_COMPONENTS: 'redis,kafka', CES_KAFKA_VERSION: '4.1.1' });
    assert.equal(code, 1, out);
    assert.match(out, /FAIL infrastructure "kafka" did not start.*3\.x only/s);
    assert.doesNotMatch(out, /RAN-THE-TEST/);
    assert.equal(existsSync(path.join(dir, 'redis.json')), false, 'redis started by the failed run was not stopped');
  });

  it('locally the same failure is a loud SKIP line and the tests still run', async () => {
    const file = fixture('local.test.ts', `it('runs', () => {});`);
    const { code, out } = await runRunner([file], { CES_INFRA_COMPONENTS: 'kafka', CES_KAFKA_VERSION: '4.1.1' });
    assert.equal(code, 0, out);
    assert.match(out, /SKIP tests needing "kafka"/);
    assert.match(out, /ℹ pass 1/);
  });

  it('on SIGINT it ends the tests, stops what it started, and exits non-zero', async () => {
    const file = fixture('slow.test.ts', `it('waits', () => new Promise((resolve) => setTimeout(resolve, 120_000)));`);
    let port = 0;
    let signalled = false;
    const { code, out } = await runRunner([file], {}, (text, child) => {
      if (!signalled && text.includes('infra: ready')) {
        signalled = true;
        port = lastState().redis!.port;
        // Give node --test a moment to start the file; the outcome is the same either way.
        setTimeout(() => child.kill('SIGINT'), 300);
      }
    });
    assert.notEqual(code, 0, out);
    assert.ok(port > 0);
    assert.equal(await redisPing(port), false, 'redis still running after SIGINT');
    assert.equal(existsSync(path.join(dir, 'redis.json')), false);
  });

  it('a test file that leaks a handle does not hang the run', async () => {
    const file = fixture('leak.test.ts', `it('leaks an interval', () => { setInterval(() => {}, 1000); });`);
    const { code, out } = await runRunner([file]);
    assert.equal(code, 0, out);
    assert.match(out, /ℹ pass 1/);
  });

  it('keeps kafkajs’ negative-timeout warning out of the output, and other warnings in', async () => {
    const file = fixture('warn.test.ts', `it('warns', () => { setTimeout(() => {}, -5); process.emitWarning('a-real-warning'); });`);
    const { code, out } = await runRunner([file]);
    assert.equal(code, 0, out);
    assert.doesNotMatch(out, /TimeoutNegativeWarning/);
    assert.match(out, /a-real-warning/);
  });

  it('refuses filters that match no test file', async () => {
    const { code, out } = await runRunner(['no/such/thing-at-all']);
    assert.equal(code, 1);
    assert.match(out, /no test files match/);
  });
});
