/**
 * createDelivery: composes the data path — kafka → decode/validate → route → history append
 * (Redis, live publish inside) → live fan-out → connection — and hands the edge a DeliveryHandler.
 * With `deps.redis` the fleet shares history and fan-out in Redis; without it, in-memory twins
 * serve a single node. With no `kafka.brokers` (and no in-memory Kafka) nothing is consumed and
 * producing answers UNAVAILABLE.
 */
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config/load.ts';
import { topicSettingsOf } from '../config/delivery-schema.ts';
import type { GatewayMetrics } from '../observability/metrics.ts';
import type { DeliveryHandler } from '../ports/delivery.ts';
import type { SessionStore } from '../ports/session-store.ts';
import type { History } from '../ports/history.ts';
import type { Fanout } from '../ports/fanout.ts';
import type { InboundStream, PublishDedupe, PublishResult } from '../ports/inbound.ts';
import type { DlqSelection, Producer, TopicReader } from '../ports/producer.ts';
import { RedisHistory, type RedisClient } from '../adapters/redis/history.ts';
import { RedisFanout } from '../adapters/redis/fanout.ts';
import { RedisPublishDedupe } from '../adapters/redis/history-publish-ids.ts';
import { MemoryHistory } from '../adapters/memory/history.ts';
import { MemoryFanout } from '../adapters/memory/fanout.ts';
import { MemoryInbound, MemoryProducer, MemoryPublishDedupe, MemoryTopicReader, type MemoryKafka } from '../adapters/memory/kafka.ts';
import { createKafka } from '../adapters/kafka/client.ts';
import { KafkaInbound } from '../adapters/kafka/consumer.ts';
import { KafkaProducer } from '../adapters/kafka/producer.ts';
import { KafkaTopicReader } from '../adapters/kafka/reader.ts';
import { schemaRegistryDecoder } from '../adapters/kafka/schema-registry.ts';
import { BreakerStates } from '@ces/contracts/metrics';
import { createTopicRuntime } from './topics.ts';
import { createConsumption } from './consume.ts';
import { createConnectionHandler } from './connections.ts';
import { createClientPublisher, push, replayDlq, type PushRequest, type ReplayReport } from './publish.ts';
import type { Headers as TraceHeaders } from '../observability/tracing.ts';

export interface DeliveryDeps {
  sessions: Pick<SessionStore, 'get' | 'saveAck' | 'getAcks'>;
  metrics: GatewayMetrics;
  logger: Logger;
  /** Shared Redis client (standalone or Cluster); absent → in-memory history and fan-out. */
  redis?: RedisClient;
  /** In-memory Kafka (unit tests, single-node development) instead of `kafka.brokers`. */
  memoryKafka?: MemoryKafka;
}

export interface Delivery {
  handler: DeliveryHandler;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Joined the consumer group (or consumption disabled) and the history breaker is closed. */
  ready(): boolean;
  /** POST /api/push: produces to the stream's push topic. Throws UNAVAILABLE-class errors when Kafka is off or failing. */
  /** `incoming`: the HTTP request's headers, whose W3C `traceparent` the produced record continues. */
  push(request: PushRequest, incoming?: TraceHeaders): Promise<PublishResult>;
  /** POST /admin/dlq/replay. */
  replayDlq(selection: DlqSelection): Promise<ReplayReport>;
  /** Test hooks: the components in use. */
  readonly parts: { history: History; fanout: Fanout; inbound?: InboundStream; producer?: Producer };
}

export class DeliveryUnavailableError extends Error {
  override name = 'DeliveryUnavailableError';
}

interface KafkaParts {
  inbound?: InboundStream;
  producer?: Producer;
  reader?: TopicReader;
}

function kafkaParts(config: GatewayConfig, deps: DeliveryDeps): KafkaParts {
  const k = config.kafka;
  if (deps.memoryKafka) {
    return { inbound: new MemoryInbound(deps.memoryKafka, k.topics), producer: new MemoryProducer(deps.memoryKafka), reader: new MemoryTopicReader(deps.memoryKafka) };
  }
  if (k.brokers.length === 0) return {};
  const kafka = createKafka(k, deps.logger.child({ component: 'kafka' }));
  const producer = new KafkaProducer(kafka, config.producer, {
    onStateChange: (state) => deps.metrics.breakerState.set({ dependency: 'kafka' }, BreakerStates[state]),
  });
  return {
    inbound: k.topics.length > 0 ? new KafkaInbound(kafka, k, deps.logger.child({ component: 'kafka-consumer' })) : undefined,
    producer,
    reader: new KafkaTopicReader(kafka, k.groupId),
  };
}

export function createDelivery(config: GatewayConfig, deps: DeliveryDeps): Delivery {
  const logger = deps.logger.child({ component: 'delivery' });
  const prefix = `${config.redis.keyPrefix}:`;
  const h = config.history;
  let history: History;
  let fanout: Fanout;
  let dedupe: PublishDedupe;
  if (deps.redis) {
    history = new RedisHistory(deps.redis, { keyPrefix: prefix, maxEntries: h.maxEntries, ttlSeconds: h.ttlSeconds, metaTtlSeconds: h.metaTtlSeconds, dedupeWindow: h.dedupeWindow, publishCommand: 'SPUBLISH' });
    fanout = new RedisFanout(deps.redis, { keyPrefix: prefix, sharded: true });
    dedupe = new RedisPublishDedupe(deps.redis, prefix, config.publish.dedupeTtlSeconds);
  } else {
    const memoryFanout = new MemoryFanout();
    history = new MemoryHistory({ maxEntries: h.maxEntries, dedupeWindow: h.dedupeWindow }, memoryFanout);
    fanout = memoryFanout;
    dedupe = new MemoryPublishDedupe();
  }
  const { inbound, producer, reader } = kafkaParts(config, deps);
  const topics = createTopicRuntime(topicSettingsOf(config.kafka.topicSettings), config.kafka.maxRecordBytes);
  if (topics.needsRegistry && !config.kafka.schemaRegistryUrl) throw new Error('kafka.schemaRegistryUrl (CES_KAFKA_SCHEMA_REGISTRY_URL) is required for avro/protobuf topics');

  const consumption = createConsumption(
    {
      history,
      producer: producer ?? unavailableProducer(),
      sessions: deps.sessions,
      metrics: deps.metrics,
      logger,
      topics,
      ...(config.kafka.schemaRegistryUrl ? { binaryDecoder: schemaRegistryDecoder(config.kafka.schemaRegistryUrl) } : {}),
    },
    {
      dlqTopic: config.kafka.dlqTopic,
      overflowPolicy: h.overflowPolicy,
      unknownSessionPolicy: config.delivery.unknownSessionPolicy,
      breakerFailures: h.breakerFailures,
      breakerHalfOpenMs: h.breakerHalfOpenMs,
      appendConcurrency: Math.max(1, config.delivery.appendConcurrency),
      sessionCacheMs: config.delivery.sessionCacheMs,
    },
  );
  const publisher = createClientPublisher({ producer, dedupe, metrics: deps.metrics, inboundTopic: config.kafka.inboundTopic });
  const handler = createConnectionHandler({
    history, fanout, sessions: deps.sessions, metrics: deps.metrics, logger, publisher,
    node: config.node, heartbeatIntervalMs: config.ws.heartbeatIntervalMs, replayBatch: config.delivery.replayBatch, ackFlushMs: config.delivery.ackFlushMs,
  });
  fanout.onResync(() => handler.resyncAll());
  const pushTopic = config.kafka.pushTopic || config.kafka.topics[0] || '';

  return {
    handler,
    parts: { history, fanout, ...(inbound ? { inbound } : {}), ...(producer ? { producer } : {}) },
    async start() {
      await producer?.connect();
      if (inbound) {
        consumption.attach(inbound);
        await inbound.start(consumption.handler);
      }
    },
    async stop() {
      consumption.stop();
      await inbound?.stop().catch((err: unknown) => logger.warn({ err }, 'consumer stop failed'));
      await producer?.disconnect().catch(() => undefined);
      await handler.flushAcks().catch((err: unknown) => logger.warn({ err }, 'writing pending acks at shutdown failed'));
      await fanout.close();
    },
    ready: () => (inbound ? inbound.ready() : true) && !consumption.breakerOpen(),
    async push(request, incoming) {
      if (!producer || !pushTopic) throw new DeliveryUnavailableError('push is not configured (kafka.brokers / kafka.pushTopic)');
      const result = await push(producer, pushTopic, request, incoming);
      deps.metrics.publishedTotal.inc({ source: 'push' });
      return result;
    },
    async replayDlq(selection) {
      if (!producer || !reader) throw new DeliveryUnavailableError('DLQ replay needs kafka.brokers');
      const report = await replayDlq(producer, reader, config.kafka.dlqTopic, selection);
      deps.metrics.publishedTotal.inc({ source: 'dlq_replay' }, report.replayed);
      return report;
    },
  };
}

function unavailableProducer(): Producer {
  const fail = async (): Promise<never> => {
    throw new DeliveryUnavailableError('no Kafka producer configured');
  };
  return { send: fail, sendBatch: fail, connect: async () => {}, disconnect: async () => {} };
}
