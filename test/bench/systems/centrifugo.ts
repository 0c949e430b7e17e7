/**
 * Starts N Centrifugo nodes (peers/centrifugo.ts) sharing one consumer group and one Redis engine.
 * Records are plain (publication data mode): the channel travels in the `centrifugo-channels` header.
 */
import { freePort } from '../../infra/procs.ts';
import { CENTRIFUGO_CHANNELS_HEADER, CENTRIFUGO_NAMESPACE, ensureCentrifugo, startCentrifugo, type RunningCentrifugo } from '../peers/centrifugo.ts';
import type { RunningSystem, StartSystem } from './types.ts';

export const startCentrifugoSystem: StartSystem = async (ctx) => {
  const bin = ensureCentrifugo((line) => console.log(line));
  const nodes: RunningCentrifugo[] = [];
  for (let i = 0; i < ctx.gateways; i++) {
    const port = await freePort();
    nodes.push(
      await startCentrifugo(
        bin,
        { port, redisUrl: ctx.redisUrl, prefix: ctx.prefix, brokers: ctx.brokers, topic: ctx.topic, group: ctx.group, historySize: ctx.historySize },
        ctx.workDir,
      ),
    );
  }
  const channel = (key: string): string => `${CENTRIFUGO_NAMESPACE}:${key}`;
  const system: RunningSystem = {
    name: 'centrifugo',
    pids: () => nodes.map((n) => n.process.pid!),
    target: (key) => ({ key, headers: { [CENTRIFUGO_CHANNELS_HEADER]: channel(key) }, channel: channel(key) }),
    session: (key, _kind, index) => ({ target: key, url: nodes[index % nodes.length]!.url, channel: channel(key) }),
    stop: async () => {
      await Promise.all(nodes.map((n) => n.stop()));
    },
  };
  return system;
};
