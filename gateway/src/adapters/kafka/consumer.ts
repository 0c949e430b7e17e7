/**
 * InboundStream over a kafkajs consumer: one group for the fleet, `eachBatch` with manual offset
 * resolution and manual commits. Guarantee: an offset is committed only after the handler
 * resolved it (the record is in history or the DLQ); unresolved records are fetched again after
 * a pause, a rebalance or a crash, so nothing is skipped.
 */
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { Batch, BatchHandler, InboundStream } from '../../ports/inbound.ts';
import type { SourceRecord } from '../../core/record.ts';
import { headersOf, type KafkaSettings } from './client.ts';

export class KafkaInbound implements InboundStream {
  #kafka: Kafka;
  #settings: KafkaSettings;
  #logger: Logger | undefined;
  #consumer: Consumer | undefined;
  #joined = false;
  #crashed = false;
  #paused = false;
  #stopped = false;
  #handler: BatchHandler | undefined;
  #assignment: ((assigned: Readonly<Record<string, readonly number[]>>) => void)[] = [];

  constructor(kafka: Kafka, settings: KafkaSettings, logger?: Logger) {
    this.#kafka = kafka;
    this.#settings = settings;
    this.#logger = logger;
  }

  async start(handler: BatchHandler): Promise<void> {
    this.#handler = handler;
    this.#stopped = false;
    await this.#run(handler);
  }

  /**
   * kafkajs restarts itself after retriable failures; after a non-retriable one it gives up. A
   * gateway must not stay unready for good, so a fresh consumer is started after a backoff
   * (nothing is lost: it resumes from the committed offsets).
   */
  #recreate(): void {
    const timer = setTimeout(() => {
      if (this.#stopped || !this.#handler) return;
      this.#logger?.warn('restarting the kafka consumer after a final crash');
      this.#paused = false;
      this.#run(this.#handler).catch((err: unknown) => {
        this.#logger?.error({ err }, 'kafka consumer restart failed');
        this.#recreate();
      });
    }, this.#settings.retryMaxMs);
    timer.unref();
  }

  async #run(handler: BatchHandler): Promise<void> {
    const s = this.#settings;
    const consumer = this.#kafka.consumer({
      groupId: s.groupId,
      sessionTimeout: s.sessionTimeoutMs,
      rebalanceTimeout: s.rebalanceTimeoutMs,
      heartbeatInterval: s.heartbeatIntervalMs,
      maxWaitTimeInMs: s.maxWaitMs,
      retry: { initialRetryTime: s.retryInitialMs, maxRetryTime: s.retryMaxMs, retries: s.retries },
    });
    this.#consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      this.#joined = true;
      this.#crashed = false;
      for (const listener of this.#assignment) listener(event.payload.memberAssignment);
    });
    consumer.on(consumer.events.CRASH, (event) => {
      this.#joined = false;
      // kafkajs restarts itself for retriable errors; only a final crash makes us unready for good.
      if (!event.payload.restart) {
        this.#crashed = true;
        this.#recreate();
      }
      this.#logger?.error({ err: event.payload.error, restart: event.payload.restart }, 'kafka consumer crashed');
    });
    consumer.on(consumer.events.STOP, () => (this.#joined = false));
    await consumer.connect();
    await consumer.subscribe({ topics: [...s.topics], fromBeginning: s.fromBeginning });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      // Batches of different partitions are independent (order is per partition): overlapping
      // them keeps Redis round trips of one batch from idling the others.
      partitionsConsumedConcurrently: Math.max(1, s.partitionsConcurrently),
      eachBatch: (payload) => this.#eachBatch(consumer, payload, handler),
    });
  }

  async #eachBatch(consumer: Consumer, payload: EachBatchPayload, handler: BatchHandler): Promise<void> {
    const { batch } = payload;
    let resolved: string | undefined;
    const records: SourceRecord[] = batch.messages.map((m) => ({
      topic: batch.topic,
      partition: batch.partition,
      offset: m.offset,
      timestamp: m.timestamp,
      key: m.key,
      value: m.value,
      headers: headersOf(m.headers),
    }));
    const view: Batch = {
      topic: batch.topic,
      partition: batch.partition,
      records,
      resolve: (offset) => {
        payload.resolveOffset(offset);
        resolved = offset;
        void payload.heartbeat().catch(() => undefined);
      },
      isActive: () => payload.isRunning() && !payload.isStale(),
      lag: () => batch.offsetLag(),
    };
    await handler(view);
    if (resolved !== undefined && !payload.isStale()) {
      // The consumer captured at start: stop() clears #consumer while this batch finishes and commits.
      await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(resolved) + 1n).toString() }]);
    }
  }

  pause(): void {
    if (this.#paused || !this.#consumer) return;
    this.#paused = true;
    this.#consumer.pause(this.#settings.topics.map((topic) => ({ topic })));
  }

  resume(): void {
    if (!this.#paused || !this.#consumer) return;
    this.#paused = false;
    this.#consumer.resume(this.#settings.topics.map((topic) => ({ topic })));
  }

  ready(): boolean {
    return this.#joined && !this.#crashed;
  }

  onAssignment(listener: (assigned: Readonly<Record<string, readonly number[]>>) => void): void {
    this.#assignment.push(listener);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    const consumer = this.#consumer;
    this.#consumer = undefined;
    this.#joined = false;
    // disconnect() waits for the running batch (which commits) and leaves the group.
    await consumer?.disconnect();
  }
}
