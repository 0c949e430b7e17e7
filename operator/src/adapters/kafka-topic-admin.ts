/**
 * TopicAdmin on kafkajs' admin client. Connection failures become TopicAdminError(unavailable)
 * so the controller reports `TopicsReady=False, reason KafkaUnavailable` and polls again,
 * instead of failing the whole pass. Config reconciliation reads only topic-level overrides
 * (configSource DYNAMIC_TOPIC_CONFIG) and writes them with AlterConfigs, which replaces the full
 * override set — exactly the declarative semantics of `spec.kafka.topics[].config`.
 */
// kafkajs is CommonJS: named exports resolve only through the default import under Node ESM.
import kafkajs from 'kafkajs';
import type { Admin, SASLOptions } from 'kafkajs';

const { ConfigResourceTypes, Kafka, logLevel } = kafkajs;
import { TopicAdminError } from '../ports/topic-admin.ts';
import type { TopicAdmin, TopicAdminFactory } from '../ports/topic-admin.ts';
import type { DesiredTopic, ObservedTopic } from '../controllers/cesstream/topic-plan.ts';

/** kafkajs ConfigSource.DYNAMIC_TOPIC_CONFIG: an override set on the topic itself. */
const DYNAMIC_TOPIC_CONFIG = 1;

export interface KafkaAdminTimeouts {
  readonly connectionTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly retries: number;
}

export function kafkaTopicAdminFactory(timeouts: KafkaAdminTimeouts): TopicAdminFactory {
  return async (connection) => {
    const kafka = new Kafka({
      clientId: 'ces-operator',
      brokers: [...connection.brokers],
      ssl: connection.ssl,
      ...(connection.sasl ? { sasl: connection.sasl as SASLOptions } : {}),
      connectionTimeout: timeouts.connectionTimeoutMs,
      requestTimeout: timeouts.requestTimeoutMs,
      retry: { retries: timeouts.retries, initialRetryTime: 100, maxRetryTime: 1000 },
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    try {
      await admin.connect();
    } catch (err) {
      await admin.disconnect().catch(() => undefined);
      throw new TopicAdminError(`Cannot reach Kafka at ${connection.brokers.join(',')}: ${(err as Error).message}`, true, { cause: err });
    }
    return new KafkaTopicAdmin(admin, timeouts.requestTimeoutMs);
  };
}

class KafkaTopicAdmin implements TopicAdmin {
  readonly #admin: Admin;
  readonly #timeoutMs: number;

  constructor(admin: Admin, timeoutMs: number) {
    this.#admin = admin;
    this.#timeoutMs = timeoutMs;
  }

  describe(names: readonly string[]): Promise<Map<string, ObservedTopic>> {
    return this.#call('describe topics', async () => {
      const existing = new Set(await this.#admin.listTopics());
      const present = [...new Set(names)].filter((n) => existing.has(n));
      const out = new Map<string, ObservedTopic>();
      if (present.length === 0) return out;
      const metadata = await this.#admin.fetchTopicMetadata({ topics: present });
      const configs = await this.#admin.describeConfigs({
        includeSynonyms: false,
        resources: present.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })),
      });
      const overrides = new Map(
        configs.resources.map((r) => [
          r.resourceName,
          Object.fromEntries(r.configEntries.filter((e) => e.configSource === DYNAMIC_TOPIC_CONFIG).map((e) => [e.configName, e.configValue])),
        ]),
      );
      for (const topic of metadata.topics) {
        out.set(topic.name, {
          partitions: topic.partitions.length,
          replicationFactor: topic.partitions[0]?.replicas.length ?? 0,
          config: overrides.get(topic.name) ?? {},
        });
      }
      return out;
    });
  }

  create(topics: readonly DesiredTopic[]): Promise<void> {
    return this.#call('create topics', async () => {
      // Not waitForLeaders: true — on a KRaft broker kafkajs' leader probe can fail with
      // UNKNOWN_TOPIC_OR_PARTITION right after CreateTopics answers; poll the metadata instead.
      await this.#admin.createTopics({
        waitForLeaders: false,
        timeout: this.#timeoutMs,
        topics: topics.map((t) => ({
          topic: t.name,
          numPartitions: t.partitions,
          replicationFactor: t.replicationFactor ?? -1,
          configEntries: Object.entries(t.config).map(([name, value]) => ({ name, value })),
        })),
      });
      await this.#waitForLeaders(topics.map((t) => t.name));
    });
  }

  async #waitForLeaders(names: string[]): Promise<void> {
    const deadline = Date.now() + this.#timeoutMs;
    for (let delay = 50; ; delay = Math.min(delay * 2, 1000)) {
      try {
        const { topics } = await this.#admin.fetchTopicMetadata({ topics: names });
        if (topics.length === names.length && topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
      } catch (err) {
        if (Date.now() + delay > deadline) throw err;
      }
      if (Date.now() + delay > deadline) throw new Error(`topics ${names.join(', ')} have no leaders after ${this.#timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  expand(name: string, partitions: number): Promise<void> {
    return this.#call(`expand ${name}`, async () => {
      await this.#admin.createPartitions({ timeout: this.#timeoutMs, topicPartitions: [{ topic: name, count: partitions }] });
    });
  }

  setConfig(name: string, config: Readonly<Record<string, string>>): Promise<void> {
    return this.#call(`configure ${name}`, async () => {
      await this.#admin.alterConfigs({
        validateOnly: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name, configEntries: Object.entries(config).map(([n, value]) => ({ name: n, value })) }],
      });
    });
  }

  delete(names: readonly string[]): Promise<void> {
    return this.#call('delete topics', async () => {
      const existing = new Set(await this.#admin.listTopics());
      // Kafka rejects a DeleteTopics request that names a topic twice (INVALID_REQUEST).
      const present = [...new Set(names)].filter((n) => existing.has(n));
      if (present.length > 0) await this.#admin.deleteTopics({ topics: present, timeout: this.#timeoutMs });
    });
  }

  async close(): Promise<void> {
    await this.#admin.disconnect();
  }

  async #call<T>(what: string, op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      const name = (err as Error).name ?? '';
      const unavailable = /Connection|NumberOfRetriesExceeded|Timeout/.test(name) || /ECONNREFUSED|ETIMEDOUT|Connection/i.test((err as Error).message ?? '');
      throw new TopicAdminError(`Kafka failed to ${what}: ${(err as Error).message}`, unavailable, { cause: err });
    }
  }
}
