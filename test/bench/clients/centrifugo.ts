/**
 * Centrifugo peer client: the official `centrifuge` SDK in Node with `ws` as its WebSocket, one
 * subscription per session to a channel of the `bench` namespace (history + forced recovery). A
 * drop terminates the underlying socket (the SDK sees an abnormal close), after which the SDK
 * reconnects and resubscribes with its offset and epoch; `recovered` comes from the server.
 */
import { Centrifuge } from 'centrifuge';
import WebSocket from 'ws';
import { RECONNECT_DELAY_MAX_MS, RECONNECT_DELAY_MS, deferred, type BenchConnection, type Connect } from './types.ts';

export const connectCentrifugo: Connect = (spec, onData) => {
  let socket: WebSocket | undefined;
  // The SDK creates its sockets itself; this subclass only remembers the current one so a drop
  // can terminate it.
  class TrackedWebSocket extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols);
      // eslint-disable-next-line @typescript-eslint/no-this-alias
      socket = this;
    }
  }
  const client = new Centrifuge(spec.url, {
    websocket: TrackedWebSocket,
    minReconnectDelay: RECONNECT_DELAY_MS,
    maxReconnectDelay: RECONNECT_DELAY_MAX_MS,
    timeout: 20_000,
  });
  const sub = client.newSubscription(spec.channel);
  let ready = deferred<boolean>();
  sub.on('publication', (ctx) => onData(ctx.data));
  sub.on('subscribed', (ctx) => ready.resolve(ctx.recovered));
  sub.on('error', (ctx) => ready.reject(new Error(`subscription error: ${JSON.stringify(ctx.error)}`)));
  sub.subscribe();
  client.connect();
  const conn: BenchConnection = {
    target: () => spec.target,
    ready: ready.promise.then(() => undefined),
    async drop() {
      ready = deferred<boolean>();
      socket?.terminate();
      return ready.promise;
    },
    close() {
      client.disconnect();
    },
  };
  return conn;
};
