/**
 * Socket.IO peer client: socket.io-client over the WebSocket transport only (no long-polling
 * upgrade dance, like the other two), joining its room through the handshake `auth`. A drop closes
 * the engine's transport, which socket.io-client treats as a lost connection: it reconnects and
 * the server's connection-state recovery replays what was missed (`socket.recovered`).
 */
import { io } from 'socket.io-client';
import { RECONNECT_DELAY_MAX_MS, RECONNECT_DELAY_MS, deferred, type BenchConnection, type Connect } from './types.ts';

export const connectSocketIo: Connect = (spec, onData) => {
  const socket = io(spec.url, {
    transports: ['websocket'],
    forceNew: true,
    auth: { room: spec.channel },
    reconnectionDelay: RECONNECT_DELAY_MS,
    reconnectionDelayMax: RECONNECT_DELAY_MAX_MS,
    timeout: 20_000,
  });
  let ready = deferred<boolean>();
  socket.on('m', (data: unknown) => onData(data));
  socket.on('connect', () => ready.resolve(socket.recovered));
  socket.on('connect_error', (err) => {
    if (!socket.active) ready.reject(err);
  });
  const first = ready.promise.then(() => undefined);
  const conn: BenchConnection = {
    target: () => spec.target,
    ready: first,
    async drop() {
      ready = deferred<boolean>();
      socket.io.engine.close();
      return ready.promise;
    },
    close() {
      socket.disconnect();
    },
  };
  return conn;
};
