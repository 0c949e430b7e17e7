/**
 * ControlBus on Redis pub/sub: channel `<prefix>:ctl:{<node>}` per gateway (sharded pub/sub on
 * Cluster, so it lives on one shard). Messages are validated on receipt (decodeKick).
 */
import { decodeKick, type ControlBus, type KickMessage } from '../../ports/control-bus.ts';
import type { RedisConnection, RedisSubscriber } from './redis-client.ts';

export class RedisControlBus implements ControlBus {
  readonly #redis: RedisConnection;
  #subscriber: RedisSubscriber | undefined;

  constructor(redis: RedisConnection) {
    this.#redis = redis;
  }

  #channel(node: string): string {
    return this.#redis.key('ctl', `{${node}}`);
  }

  async listen(node: string, onMessage: (message: KickMessage) => void): Promise<void> {
    this.#subscriber = this.#redis.createSubscriber();
    await this.#subscriber.subscribe(this.#channel(node), (text) => {
      const message = decodeKick(text);
      if (message) onMessage(message);
    });
  }

  async send(node: string, message: KickMessage): Promise<void> {
    await this.#redis.publish(this.#channel(node), JSON.stringify(message));
  }

  async close(): Promise<void> {
    await this.#subscriber?.close();
    this.#subscriber = undefined;
  }
}
