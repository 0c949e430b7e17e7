/**
 * Redis command latency for `ces_gateway_redis_command_duration_seconds`, measured at the client:
 * wraps `sendCommand` of an ioredis `Redis` or `Cluster` instance (typed structurally, so this file
 * does not import ioredis). Every command — including each one of a pipeline and every EVALSHA of
 * the history scripts — is observed once, from send to reply or error. Instrument only clients
 * that send request/response commands: a subscriber connection's SUBSCRIBE would measure idle time.
 */
import type { GatewayMetrics } from './metrics.ts';

/** The part of an ioredis command this needs. */
export interface CommandLike {
  name: string;
  promise: Promise<unknown>;
}

export interface CommandSender {
  sendCommand(command: CommandLike, ...rest: unknown[]): unknown;
}

const MARK = Symbol.for('ces.redisTiming');

/** Command names are a closed set in Redis; anything unexpected is reported as `other`. */
export function commandLabel(name: string): string {
  const lower = name.toLowerCase();
  return /^[a-z][a-z_.|-]{0,31}$/.test(lower) ? lower : 'other';
}

/** Instruments `client` in place (idempotent) and returns it. */
export function instrumentRedis<C extends CommandSender>(client: C, metrics: Pick<GatewayMetrics, 'redisCommandDurationSeconds'>): C {
  const marked = client as C & { [MARK]?: true };
  if (marked[MARK]) return client;
  const original = client.sendCommand.bind(client);
  client.sendCommand = (command: CommandLike, ...rest: unknown[]) => {
    const end = metrics.redisCommandDurationSeconds.startTimer({ command: commandLabel(command.name) });
    const done = () => void end();
    // Observe on settle without changing the outcome the caller sees.
    command.promise.then(done, done);
    return original(command, ...rest);
  };
  marked[MARK] = true;
  return client;
}
