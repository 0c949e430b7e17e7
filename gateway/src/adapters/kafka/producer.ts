/**
 * Producer over kafkajs: idempotent, acks=all, one in-flight request (ordering per partition
 * survives retries), guarded by cockatiel retry (exponential backoff) inside a consecutive-
 * failure circuit breaker. Used for the DLQ, the inbound topic, the push API and DLQ replay.
 */
import { CompressionTypes, type Kafka, type Message, type Producer as KafkaProducerClient } from 'kafkajs';
import {
  BrokenCircuitError,
  ConsecutiveBreaker,
  ExponentialBackoff,
  circuitBreaker,
  handleWhen,
  retry,
  wrap,
  type IPolicy,
} from 'cockatiel';
import type { Producer } from '../../ports/producer.ts';
import type { PublishResult } from '../../ports/inbound.ts';
import type { OutboundRecord } from '../../core/dlq.ts';
import type { GatewayConfig } from '../../config/load.ts';

export type ProducerSettings = GatewayConfig['producer'];

export interface BreakerEvents {
  onStateChange?(state: 'closed' | 'open' | 'half_open'): void;
}

function messageOf(record: OutboundRecord): Message {
  const message: Message = { key: record.key, value: record.value, headers: { ...record.headers } };
  if (record.timestamp !== undefined) message.timestamp = record.timestamp;
  return message;
}

export class KafkaProducer implements Producer {
  #producer: KafkaProducerClient;
  #policy: IPolicy;
  #timeoutMs: number;

  constructor(kafka: Kafka, settings: ProducerSettings, events: BreakerEvents = {}) {
    this.#producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    this.#timeoutMs = settings.timeoutMs;
    const breaker = circuitBreaker(
      handleWhen(() => true),
      { halfOpenAfter: settings.breakerHalfOpenMs, breaker: new ConsecutiveBreaker(Math.max(1, settings.breakerFailures)) },
    );
    breaker.onBreak(() => events.onStateChange?.('open'));
    breaker.onHalfOpen(() => events.onStateChange?.('half_open'));
    breaker.onReset(() => events.onStateChange?.('closed'));
    const retries = retry(
      handleWhen((err) => !(err instanceof BrokenCircuitError)),
      { maxAttempts: settings.retryAttempts, backoff: new ExponentialBackoff({ initialDelay: 100, maxDelay: 2000 }) },
    );
    this.#policy = wrap(retries, breaker);
  }

  async connect(): Promise<void> {
    await this.#producer.connect();
  }

  async disconnect(): Promise<void> {
    await this.#producer.disconnect();
  }

  async send(topic: string, record: OutboundRecord): Promise<PublishResult> {
    const [meta] = await this.#policy.execute(() =>
      this.#producer.send({ topic, acks: -1, timeout: this.#timeoutMs, messages: [messageOf(record)] }),
    );
    if (!meta?.baseOffset) throw new Error(`no offset returned producing to ${topic}`);
    return { topic: meta.topicName, partition: meta.partition, offset: meta.baseOffset };
  }

  async sendBatch(topic: string, records: readonly OutboundRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.#policy.execute(() =>
      this.#producer.send({ topic, acks: -1, timeout: this.#timeoutMs, compression: CompressionTypes.None, messages: records.map(messageOf) }),
    );
  }
}
