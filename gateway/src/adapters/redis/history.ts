/**
 * History on Redis: one stream + meta hash + dedupe zset per channel, changed only by the Lua
 * scripts in ./scripts (one atomic step per channel; same code on a single node and on Cluster).
 */
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import type { AppendOptions, AppendResult, History } from '../../ports/history.ts';
import type { HistoryWindow } from '../../core/resume.ts';
import type { ChannelEntry, StoredMessage } from '../../core/record.ts';
import { channelKeys } from './history-keys.ts';

export interface RedisHistorySettings {
  keyPrefix: string;
  maxEntries: number;
  ttlSeconds: number;
  /** TTL of a channel's epoch/top and dedupe set (>= ttlSeconds); default ttlSeconds. */
  metaTtlSeconds?: number;
  /** How many recent seqs per channel remember their source id (>= maxEntries). */
  dedupeWindow: number;
  /** SPUBLISH (sharded pub/sub, Redis >= 7) or PUBLISH. */
  publishCommand: 'SPUBLISH' | 'PUBLISH';
}

type ScriptReply = (string | number)[];
interface HistoryCommands {
  cesHistoryAppend(k1: string, k2: string, k3: string, ...argv: (string | number)[]): Promise<ScriptReply>;
  cesHistoryRead(k1: string, k2: string, ...argv: (string | number)[]): Promise<ScriptReply>;
  cesHistoryAck(k1: string, ...argv: (string | number)[]): Promise<number>;
}

function script(name: string): string {
  return readFileSync(new URL(`./scripts/${name}.lua`, import.meta.url), 'utf8');
}

/** Registers the scripts on a client (idempotent; ioredis uses EVALSHA with EVAL fallback). */
function defineScripts(client: Redis | Cluster): HistoryCommands {
  const commands = client as unknown as Partial<HistoryCommands>;
  if (!commands.cesHistoryAppend) {
    client.defineCommand('cesHistoryAppend', { numberOfKeys: 3, lua: script('history-append') });
    client.defineCommand('cesHistoryRead', { numberOfKeys: 2, lua: script('history-read') });
    client.defineCommand('cesHistoryAck', { numberOfKeys: 1, lua: script('history-ack') });
  }
  return client as unknown as HistoryCommands;
}

/** Random bytes drawn in bulk: every append passes a candidate epoch, used only by a new channel. */
let epochPool = Buffer.alloc(0);
let epochAt = 0;

/** A fresh epoch: 64 random bits as 16 hex. */
export function newEpoch(): string {
  if (epochAt + 8 > epochPool.length) {
    epochPool = randomBytes(8 * 512);
    epochAt = 0;
  }
  epochAt += 8;
  return epochPool.toString('hex', epochAt - 8, epochAt);
}

/** The ioredis client types, named here so non-adapter code can pass clients without importing ioredis. */
export type RedisClient = Redis | Cluster;

export class RedisHistory implements History {
  #redis: HistoryCommands & (Redis | Cluster);
  #settings: RedisHistorySettings;

  constructor(client: Redis | Cluster, settings: RedisHistorySettings) {
    defineScripts(client);
    this.#redis = client as HistoryCommands & (Redis | Cluster);
    this.#settings = { ...settings, dedupeWindow: Math.max(settings.dedupeWindow, settings.maxEntries) };
  }

  async append(channel: string, message: StoredMessage, options: AppendOptions): Promise<AppendResult> {
    const keys = channelKeys(this.#settings.keyPrefix, channel);
    const s = this.#settings;
    const reply = await this.#redis.cesHistoryAppend(
      keys.meta, keys.log, keys.sources,
      keys.live, newEpoch(), options.sourceId, JSON.stringify(message),
      s.maxEntries, s.ttlSeconds, s.dedupeWindow, options.rejectUnackedOverflow ? '1' : '0', s.publishCommand, this.#metaTtl(),
    );
    return { status: String(reply[0]) as AppendResult['status'], seq: Number(reply[1]), epoch: String(reply[2]) };
  }

  #metaTtl(): number {
    return Math.max(this.#settings.ttlSeconds, this.#settings.metaTtlSeconds ?? 0);
  }

  async window(channel: string): Promise<HistoryWindow> {
    return (await this.read(channel, 0, 0)).window;
  }

  async read(channel: string, after: number, limit: number): Promise<{ window: HistoryWindow; entries: ChannelEntry[] }> {
    const keys = channelKeys(this.#settings.keyPrefix, channel);
    const reply = await this.#redis.cesHistoryRead(keys.meta, keys.log, newEpoch(), this.#metaTtl(), Math.max(0, after), limit);
    const epoch = String(reply[0]);
    const window = { epoch, top: Number(reply[1]), oldest: Number(reply[2]), acked: Number(reply[3]) };
    const entries: ChannelEntry[] = [];
    for (let i = 4; i + 1 < reply.length; i += 2) {
      const seq = Number(String(reply[i]).split('-')[0]);
      entries.push({ channel, seq, epoch, message: JSON.parse(String(reply[i + 1])) as StoredMessage });
    }
    return { window, entries };
  }

  async ack(channel: string, epoch: string, seq: number): Promise<void> {
    await this.#redis.cesHistoryAck(channelKeys(this.#settings.keyPrefix, channel).meta, epoch, seq);
  }

  async ping(): Promise<void> {
    // On a cluster, ping every master: the breaker must not close while one shard is down.
    const client = this.#redis as Redis | Cluster;
    if ('nodes' in client && typeof client.nodes === 'function') {
      await Promise.all(client.nodes('master').map((node) => node.ping()));
    } else {
      await (client as Redis).ping();
    }
  }
}
