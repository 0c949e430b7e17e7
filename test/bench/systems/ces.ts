/**
 * Starts N CES gateway processes (gateway/src/main.ts, configured through its CES_* environment)
 * on the bench topic, one consumer group, one private Redis. Rate limits are off (the load
 * processes register thousands of sessions from one IP), logs at error, and the Kafka fetch wait is
 * 100 ms like the Socket.IO peer's.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePort } from '../../infra/procs.ts';
import { repoRoot } from '../../support/infra.ts';
import { stopChild } from '../peers/centrifugo.ts';
import type { RunningSystem, StartSystem } from './types.ts';

const API_TOKEN = 'bench-api-token-0123456789abcdef';

async function waitReady(base: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`CES gateway exited with ${child.exitCode}`);
    const ok = await fetch(`${base}/readyz`).then((r) => r.ok, () => false);
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`CES gateway at ${base} not ready within 60 s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export const startCes: StartSystem = async (ctx) => {
  const nodes: { child: ChildProcess; base: string }[] = [];
  for (let i = 0; i < ctx.gateways; i++) {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      CES_NODE_NAME: `bench-gw-${i}`,
      CES_HOST: '127.0.0.1',
      CES_PORT: String(port),
      CES_PUBLIC_URL: base,
      CES_REDIS_URL: ctx.redisUrl,
      CES_REDIS_KEY_PREFIX: ctx.prefix,
      CES_KAFKA_BROKERS: ctx.brokers.join(','),
      CES_KAFKA_TOPICS: ctx.topic,
      CES_KAFKA_GROUP_ID: ctx.group,
      CES_KAFKA_DLQ_TOPIC: `${ctx.topic}-dlq`,
      CES_KAFKA_INBOUND_TOPIC: `${ctx.topic}-inbound`,
      CES_KAFKA_MAX_WAIT_MS: '100',
      CES_API_TOKEN: API_TOKEN,
      CES_AUTH_MODE: 'registry',
      CES_LOG_LEVEL: 'error',
      KAFKAJS_NO_PARTITIONER_WARNING: '1',
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --disable-warning=TimeoutNegativeWarning`.trim(),
      CES_HISTORY_MAX_ENTRIES: String(ctx.historySize),
      CES_SESSION_MAX: '1000000',
      CES_RATE_LIMIT_REGISTER_PER_IP_PER_MINUTE: '0',
      CES_RATE_LIMIT_CONNECT_PER_IP_PER_MINUTE: '0',
      CES_RATE_LIMIT_FRAMES_PER_SESSION_PER_SECOND: '0',
      CES_ALLOWED_ORIGINS: '*',
    };
    const profile = ctx.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${ctx.profileDir}`] : [];
    // The same V8 flag the gateway image runs with (gateway/Dockerfile).
    const child = spawn('bash', [path.join(repoRoot, 'scripts/node.sh'), '--max-semi-space-size=32', ...profile, path.join(repoRoot, 'gateway/src/main.ts')], {
      env,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    nodes.push({ child, base });
  }
  try {
    await Promise.all(nodes.map((n) => waitReady(n.base, n.child)));
  } catch (err) {
    await Promise.all(nodes.map((n) => stopChild(n.child)));
    throw err;
  }
  const system: RunningSystem = {
    name: 'ces',
    pids: () => nodes.map((n) => n.child.pid!),
    target: (key, kind) => ({ key, headers: { [kind === 'session' ? 'ces-session-id' : 'ces-customer-id']: key } }),
    session: (key, kind, index) => ({
      target: kind === 'session' ? '' : key,
      url: '',
      channel: kind === 'session' ? 's:' : `c:${key}`,
      api: {
        base: nodes[index % nodes.length]!.base,
        headers: { authorization: `Bearer ${API_TOKEN}` },
        customerId: kind === 'session' ? `cust-${index}` : key,
      },
    }),
    stop: async () => {
      await Promise.all(nodes.map((n) => stopChild(n.child)));
    },
  };
  return system;
};
