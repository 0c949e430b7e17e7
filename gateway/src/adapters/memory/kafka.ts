/**
 * In-memory twins of the Kafka side for unit tests and single-node development: a partitioned
 * log, an idempotent producer, a one-member "group" consumer with committed offsets and
 * pause/resume, a range reader, and the client-publish dedupe store.
 * `redeliverFromCommitted()` stands in for a crash or rebalance: consumption restarts at the
 * committed offsets, so every unresolved record is seen again.
 */
import type { Batch, BatchHandler, InboundStream, PublishDedupe, PublishResult } from '../../ports/inbound.ts';
import type { DlqSelection, Producer, TopicReader } from '../../ports/producer.ts';
import type { OutboundRecord } from '../../core/dlq.ts';
import type { SourceRecord } from '../../core/record.ts';

export class MemoryKafka {
  readonly topics = new Map<string, SourceRecord[][]>();
  #listeners = new Set<() => void>();

  createTopic(topic: string, partitions: number): void {
    if (!this.topics.has(topic)) this.topics.set(topic, Array.from({ length: partitions }, () => []));
  }

  append(topic: string, record: OutboundRecord, partition?: number): PublishResult {
    const partitions = this.topics.get(topic);
    if (!partitions) throw new Error(`unknown topic ${topic}`);
    const p = partition ?? (record.key ? hash(record.key) % partitions.length : 0);
    const log = partitions[p]!;
    const offset = String(log.length);
    log.push({ topic, partition: p, offset, timestamp: record.timestamp ?? String(Date.now()), key: record.key, value: record.value, headers: { ...record.headers } });
    for (const listener of this.#listeners) listener();
    return { topic, partition: p, offset };
  }

  onAppend(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

function hash(key: Buffer): number {
  let h = 0;
  for (const byte of key) h = (h * 31 + byte) >>> 0;
  return h;
}

export class MemoryProducer implements Producer {
  #kafka: MemoryKafka;
  /** Test hook: when set, every send rejects with it. */
  failWith: Error | undefined;
  constructor(kafka: MemoryKafka) {
    this.#kafka = kafka;
  }
  async connect(): Promise<void> {}
  async disconnect(): Promise<void> {}
  async send(topic: string, record: OutboundRecord): Promise<PublishResult> {
    if (this.failWith) throw this.failWith;
    return this.#kafka.append(topic, record);
  }
  async sendBatch(topic: string, records: readonly OutboundRecord[]): Promise<void> {
    for (const record of records) await this.send(topic, record);
  }
}

export class MemoryInbound implements InboundStream {
  #kafka: MemoryKafka;
  #topics: readonly string[];
  /** Committed offset (next to read) per `topic/partition`. */
  readonly committed = new Map<string, number>();
  #position = new Map<string, number>();
  #handler: BatchHandler | undefined;
  #paused = false;
  #running = false;
  #loop: Promise<void> = Promise.resolve();
  #off: (() => void) | undefined;
  #assignment: ((assigned: Readonly<Record<string, readonly number[]>>) => void)[] = [];

  constructor(kafka: MemoryKafka, topics: readonly string[]) {
    this.#kafka = kafka;
    this.#topics = topics;
  }

  async start(handler: BatchHandler): Promise<void> {
    this.#handler = handler;
    this.#running = true;
    const all = Object.fromEntries(this.#topics.map((t) => [t, (this.#kafka.topics.get(t) ?? []).map((_, p) => p)]));
    this.assign(all);
    this.#off = this.#kafka.onAppend(() => this.#kick());
    this.#kick();
  }

  #kick(): void {
    this.#loop = this.#loop.then(() => this.#drain());
  }

  async #drain(): Promise<void> {
    await this.#drainOnce();
    // Like kafkajs: unresolved records are fetched again (after a short backoff) unless paused.
    if (this.#running && !this.#paused && this.#pending()) setTimeout(() => this.#kick(), 5).unref();
  }

  #pending(): boolean {
    return this.#topics.some((topic) =>
      (this.#kafka.topics.get(topic) ?? []).some((log, p) => (this.#position.get(`${topic}/${p}`) ?? this.committed.get(`${topic}/${p}`) ?? 0) < log.length),
    );
  }

  async #drainOnce(): Promise<void> {
    for (let progressed = true; progressed && this.#running && !this.#paused; ) {
      progressed = false;
      for (const topic of this.#topics) {
        for (const [partition, log] of (this.#kafka.topics.get(topic) ?? []).entries()) {
          const key = `${topic}/${partition}`;
          const from = this.#position.get(key) ?? this.committed.get(key) ?? 0;
          if (from >= log.length || this.#paused || !this.#running) continue;
          let resolved = -1;
          const batch: Batch = {
            topic, partition, records: log.slice(from),
            resolve: (offset) => (resolved = Number(offset)),
            isActive: () => this.#running,
            lag: () => String(log.length - from),
          };
          await this.#handler!(batch);
          if (resolved >= from) {
            this.committed.set(key, resolved + 1);
            this.#position.set(key, resolved + 1);
            progressed = true;
          }
        }
      }
    }
  }

  onAssignment(listener: (assigned: Readonly<Record<string, readonly number[]>>) => void): void {
    this.#assignment.push(listener);
  }

  /** Test hook: a rebalance handed this member `assigned` (consumption itself is unchanged). */
  assign(assigned: Readonly<Record<string, readonly number[]>>): void {
    for (const listener of this.#assignment) listener(assigned);
  }

  /** A crash/rebalance: positions fall back to the committed offsets and consumption restarts. */
  redeliverFromCommitted(): Promise<void> {
    this.#position.clear();
    this.#kick();
    return this.#loop;
  }

  /** Test hook: resolves when everything appended so far was handled (or the stream is paused). */
  idle(): Promise<void> {
    this.#kick();
    return this.#loop;
  }

  pause(): void {
    this.#paused = true;
  }
  resume(): void {
    this.#paused = false;
    this.#kick();
  }
  ready(): boolean {
    return this.#running;
  }
  async stop(): Promise<void> {
    this.#running = false;
    this.#off?.();
    await this.#loop;
  }
}

export class MemoryTopicReader implements TopicReader {
  #kafka: MemoryKafka;
  constructor(kafka: MemoryKafka) {
    this.#kafka = kafka;
  }
  async read(topic: string, sel: DlqSelection): Promise<SourceRecord[]> {
    const log = this.#kafka.topics.get(topic)?.[sel.partition] ?? [];
    const from = Number(sel.fromOffset ?? 0);
    const to = Math.min(Number(sel.toOffset ?? Infinity), from + sel.count - 1);
    return log.filter((r) => Number(r.offset) >= from && Number(r.offset) <= to);
  }
}

export class MemoryPublishDedupe implements PublishDedupe {
  #entries = new Map<string, PublishResult | 'pending'>();
  async claim(sessionId: string, id: string): Promise<{ state: 'new' } | { state: 'pending' } | { state: 'done'; result: PublishResult }> {
    const key = `${sessionId}\n${id}`;
    const existing = this.#entries.get(key);
    if (existing === undefined) {
      this.#entries.set(key, 'pending');
      return { state: 'new' };
    }
    return existing === 'pending' ? { state: 'pending' } : { state: 'done', result: existing };
  }
  async complete(sessionId: string, id: string, result: PublishResult): Promise<void> {
    this.#entries.set(`${sessionId}\n${id}`, result);
  }
  async release(sessionId: string, id: string): Promise<void> {
    this.#entries.delete(`${sessionId}\n${id}`);
  }
}
