/** Small helpers for the infra self-tests (kube.int.test.ts, helm.int.test.ts). */
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls `check` every 100 ms until it returns true. Errors count as "not yet" (e.g. discovery lag
 * right after a CRD is created) and the last one is reported if time runs out.
 */
export async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (err) {
      lastError = err;
    }
    await sleep(100);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: lastError });
}
