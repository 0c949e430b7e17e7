/** Starts N Socket.IO peer nodes (peers/socketio-server.ts) sharing one consumer group and one Redis. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { freePort } from '../../infra/procs.ts';
import { repoRoot } from '../../support/infra.ts';
import { stopChild } from '../peers/centrifugo.ts';
import type { RunningSystem, StartSystem } from './types.ts';

/** Header the peer's consumer reads the room from (peers/socketio-server.ts ROOM_HEADER). */
const ROOM_HEADER = 'bench-room';

async function startNode(env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn('bash', [path.join(repoRoot, 'scripts/node.sh'), path.join(repoRoot, 'test/bench/peers/socketio-server.ts')], {
    env: { ...process.env, ...env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --disable-warning=TimeoutNegativeWarning`.trim() },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('socket.io peer did not join its consumer group within 60 s')), 60_000);
    lines.on('line', (line) => {
      if (line.startsWith('listening')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`socket.io peer exited with ${code}`)));
  });
  return child;
}

export const startSocketIo: StartSystem = async (ctx) => {
  const nodes: { child: ChildProcess; url: string }[] = [];
  const starts = Array.from({ length: ctx.gateways }, async () => {
    const port = await freePort();
    const child = await startNode({
      BENCH_PORT: String(port),
      BENCH_REDIS_URL: ctx.redisUrl,
      BENCH_KAFKA_BROKERS: ctx.brokers.join(','),
      BENCH_TOPIC: ctx.topic,
      BENCH_GROUP: ctx.group,
      BENCH_PREFIX: ctx.prefix,
    });
    nodes.push({ child, url: `http://127.0.0.1:${port}` });
  });
  await Promise.all(starts);
  const system: RunningSystem = {
    name: 'socketio',
    pids: () => nodes.map((n) => n.child.pid!),
    target: (key) => ({ key, headers: { [ROOM_HEADER]: key } }),
    session: (key, _kind, index) => ({ target: key, url: nodes[index % nodes.length]!.url, channel: key }),
    stop: async () => {
      await Promise.all(nodes.map((n) => stopChild(n.child)));
    },
  };
  return system;
};
