/**
 * The README's first command, proven in a real browser: `scripts/demo.ts` (reusing the test
 * Kafka and Redis under unique names) serves the demo page; headless Debian Chromium driven by
 * playwright-core opens it, sees customer events arrive with seqs, drops the socket, and sees
 * the events produced meanwhile replayed after resume — no gaps, no duplicates.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { needs, repoRoot, uniqueName } from '../support/infra.ts';
import { follow } from '../../examples/client.ts';
import type { MessageFrame } from '@ces/contracts/protocol';

const kafka = needs('kafka');
const redis = needs('redis');

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Starts the demo and resolves with the URL it prints. */
async function startDemo(): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', path.join(repoRoot, 'scripts/demo.ts')], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      CES_DEMO_KAFKA_BROKERS: kafka.value!.brokers.join(','),
      CES_DEMO_REDIS_URL: redis.value!.url,
      CES_DEMO_PORT: '0',
      CES_DEMO_TOPIC: uniqueName('demo-browser'),
      CES_DEMO_INTERVAL_MS: '150',
    },
  });
  let text = '';
  child.stdout!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    const match = /CES demo: open (http:\/\/\S+)/.exec(text);
    if (match) return { child, url: match[1]!, output: () => text };
    if (child.exitCode !== null) throw new Error(`demo exited with ${child.exitCode}:\n${text}`);
    await sleep(200);
  }
  child.kill('SIGTERM');
  throw new Error(`demo printed no URL within 90 s:\n${text}`);
}

async function number(page: Page, id: string): Promise<number> {
  return Number(await page.locator(`#${id}`).textContent());
}

/** Every row's seq, newest first as the page shows them, as a sorted ascending list. */
async function seqs(page: Page): Promise<number[]> {
  const values = await page.locator('#events tr').evaluateAll((rows) => rows.map((r) => Number((r as HTMLElement).dataset.seq)));
  return values.sort((a, b) => a - b);
}

describe('demo page in a real browser', { skip: kafka.skip || redis.skip }, () => {
  let demo: Awaited<ReturnType<typeof startDemo>> | undefined;
  let browser: Browser | undefined;

  before(async () => {
    const executablePath = execFileSync('bash', [path.join(repoRoot, 'scripts/ensure-chromium.sh')], { encoding: 'utf8' }).trim();
    demo = await startDemo();
    browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
  });

  after(async () => {
    await browser?.close();
    if (demo && demo.child.exitCode === null) {
      demo.child.kill('SIGTERM');
      await once(demo.child, 'exit');
    }
  });

  it('shows events live, and after a dropped socket resumes with the missed events and no gaps', async () => {
    const page = await browser!.newPage();
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(err.message));

    await page.goto(demo!.url);
    await page.locator('#status[data-state="connected"]').waitFor({ timeout: 30_000 });
    await page.waitForFunction(() => Number(document.querySelector('#count')?.textContent) >= 5, undefined, { timeout: 30_000 });
    assert.match((await page.locator('#channel').textContent()) ?? '', /(^|, )c:demo-customer(,|$)/);
    assert.equal(await page.locator('#events tr[data-channel="c:demo-customer"]').count() > 0, true);

    const before = await number(page, 'last-seq');
    await page.click('#drop');
    await page.locator('#status[data-state="reconnecting"]').waitFor({ timeout: 10_000 });
    await page.locator('#status[data-state="connected"]').waitFor({ timeout: 30_000 });
    assert.equal(await number(page, 'reconnects'), 1);

    // Events produced while the page was away arrive again, replayed from history.
    await page.waitForFunction((seq) => Number(document.querySelector('#last-seq')?.textContent) >= seq + 10, before, { timeout: 30_000 });
    assert.ok((await number(page, 'replayed')) > 0, 'the events produced during the drop were replayed');
    assert.equal(await number(page, 'gaps'), 0);
    assert.equal(await number(page, 'duplicates'), 0);

    const all = await seqs(page);
    for (let i = 1; i < all.length; i++) assert.equal(all[i], all[i - 1]! + 1, `seq ${all[i - 1]} is followed by ${all[i]} on the page`);
    assert.deepEqual(problems, []);
  });

  it('refuses a malformed, an oversized and an unknown request without reaching the gateway', async () => {
    const base = demo!.url;
    const register = await fetch(new URL('/api/register', base), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"sessionId":"forged"}' });
    assert.ok(register.status >= 400 && register.status < 500, `forged session answered ${register.status}`);
    assert.equal(((await register.json()) as { status: string }).status, 'error');
    const big = await fetch(new URL('/api/register', base), { method: 'POST', body: 'x'.repeat(10_000) });
    assert.equal(big.status, 413);
    assert.equal((await fetch(new URL('/../package.json', base))).status, 404);
    assert.equal((await fetch(new URL('/demo/session', base))).status, 404, 'GET does not mint sessions');
  });

  it('the client snippet (examples/client.ts) receives the customer events in order, without gaps', async () => {
    const minted = await fetch(new URL('/demo/session', demo!.url), { method: 'POST' });
    const { sessionId } = (await minted.json()) as { sessionId: string };
    const seen: MessageFrame[] = [];
    const client = await follow(demo!.url, sessionId, (m) => void seen.push(m));
    try {
      const deadline = Date.now() + 30_000;
      while (seen.filter((m) => m.channel === 'c:demo-customer').length < 5 && Date.now() < deadline) await sleep(100);
    } finally {
      client.close();
    }
    const customer = seen.filter((m) => m.channel === 'c:demo-customer').map((m) => m.seq);
    assert.ok(customer.length >= 5, `only ${customer.length} events arrived`);
    for (let i = 1; i < customer.length; i++) assert.equal(customer[i], customer[i - 1]! + 1);
  });
});
