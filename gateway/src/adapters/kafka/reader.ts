/**
 * Reads one partition range of a topic (DLQ replay) with a throwaway consumer group: kafkajs has
 * no manual assignment, so the reader subscribes, seeks, collects the range, then leaves and
 * deletes its group. Bounded by `count` and by the high watermark at start.
 */
import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { DlqSelection, TopicReader } from '../../ports/producer.ts';
import type { SourceRecord } from '../../core/record.ts';
import { headersOf } from './client.ts';

export class KafkaTopicReader implements TopicReader {
  #kafka: Kafka;
  #groupPrefix: string;
  #timeoutMs: number;

  constructor(kafka: Kafka, groupPrefix: string, timeoutMs = 20_000) {
    this.#kafka = kafka;
    this.#groupPrefix = groupPrefix;
    this.#timeoutMs = timeoutMs;
  }

  async #range(topic: string, sel: DlqSelection): Promise<{ from: bigint; to: bigint } | undefined> {
    const admin = this.#kafka.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(topic);
      const p = offsets.find((o) => o.partition === sel.partition);
      if (!p) return undefined;
      const low = BigInt(p.low);
      const high = BigInt(p.high);
      const from = sel.fromOffset !== undefined && BigInt(sel.fromOffset) > low ? BigInt(sel.fromOffset) : low;
      let to = high - 1n;
      if (sel.toOffset !== undefined && BigInt(sel.toOffset) < to) to = BigInt(sel.toOffset);
      if (from + BigInt(sel.count) - 1n < to) to = from + BigInt(sel.count) - 1n;
      return to < from ? undefined : { from, to };
    } finally {
      await admin.disconnect();
    }
  }

  async read(topic: string, sel: DlqSelection): Promise<SourceRecord[]> {
    const range = await this.#range(topic, sel);
    if (!range) return [];
    const groupId = `${this.#groupPrefix}-reader-${randomBytes(6).toString('hex')}`;
    const consumer = this.#kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
    const out: SourceRecord[] = [];
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      const done = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`reading ${topic}[${sel.partition}] timed out`)), this.#timeoutMs);
        void consumer.run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            if (batch.partition !== sel.partition) return;
            for (const m of batch.messages) {
              const offset = BigInt(m.offset);
              if (offset < range.from || offset > range.to) continue;
              out.push({ topic, partition: batch.partition, offset: m.offset, timestamp: m.timestamp, key: m.key, value: m.value, headers: headersOf(m.headers) });
            }
            if (BigInt(batch.lastOffset()) >= range.to) {
              clearTimeout(timer);
              resolve();
            }
          },
        });
      });
      consumer.seek({ topic, partition: sel.partition, offset: range.from.toString() });
      await done;
    } finally {
      await consumer.disconnect().catch(() => undefined);
      const admin = this.#kafka.admin();
      await admin.connect().then(() => admin.deleteGroups([groupId])).catch(() => undefined);
      await admin.disconnect().catch(() => undefined);
    }
    return out;
  }
}
