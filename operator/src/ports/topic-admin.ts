/**
 * The operator's port to Kafka's admin API. `adapters/kafka-topic-admin.ts` implements it with
 * kafkajs (the only operator file importing it); unit tests use an in-memory twin.
 */
import type { DesiredTopic, ObservedTopic } from '../controllers/cesstream/topic-plan.ts';

export interface TopicAdmin {
  /** Topics that exist, by name; missing names are absent from the map. */
  describe(names: readonly string[]): Promise<Map<string, ObservedTopic>>;
  create(topics: readonly DesiredTopic[]): Promise<void>;
  /** Raises the partition count to `partitions` (Kafka refuses decreases). */
  expand(name: string, partitions: number): Promise<void>;
  /** Replaces the topic's overrides with exactly `config`. */
  setConfig(name: string, config: Readonly<Record<string, string>>): Promise<void>;
  delete(names: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

export interface KafkaConnection {
  readonly brokers: readonly string[];
  readonly ssl: boolean;
  readonly sasl?: { readonly mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; readonly username: string; readonly password: string };
}

/** Opens an admin connection; throws TopicAdminError(unavailable) when Kafka cannot be reached. */
export type TopicAdminFactory = (connection: KafkaConnection) => Promise<TopicAdmin>;

/** A Kafka admin failure; `unavailable` when the cluster could not be reached at all. */
export class TopicAdminError extends Error {
  readonly unavailable: boolean;
  constructor(message: string, unavailable: boolean, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TopicAdminError';
    this.unavailable = unavailable;
  }
}
