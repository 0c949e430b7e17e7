/**
 * The Socket.IO peer, written plainly the way its docs recommend: a socket.io server with the
 * Redis Streams adapter (ioredis) and connection-state recovery, and a kafkajs consumer that
 * emits every record to the room named in its `bench-room` header. Several of these processes
 * share one consumer group; the adapter carries each emit to the node that holds the room's
 * sockets. Clients join their room through the handshake `auth.room`; after a recovered
 * reconnect socket.io restores the rooms itself.
 *
 * Run by the harness: `node test/bench/peers/socketio-server.ts` with env BENCH_PORT,
 * BENCH_REDIS_URL, BENCH_KAFKA_BROKERS (comma-separated), BENCH_TOPIC, BENCH_GROUP, BENCH_PREFIX.
 * Prints `listening <port>` on stdout once it accepts connections and the consumer has joined.
 */
import { Server } from 'socket.io';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';

export const ROOM_HEADER = 'bench-room';

function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is required`);
  return v;
}

async function main(): Promise<void> {
  const prefix = env('BENCH_PREFIX');
  const redis = new Redis(env('BENCH_REDIS_URL'));
  const io = new Server({
    adapter: createAdapter(redis, { streamName: `${prefix}:stream`, sessionKeyPrefix: `${prefix}:session:`, channelPrefix: prefix }),
    // The docs' example window (2 minutes) is far longer than any drop in the storm.
    connectionStateRecovery: { maxDisconnectionDuration: 2 * 60 * 1000, skipMiddlewares: true },
    transports: ['websocket'],
  });
  io.on('connection', (socket) => {
    const room = (socket.handshake.auth as { room?: unknown }).room;
    if (!socket.recovered && typeof room === 'string') void socket.join(room);
  });
  io.listen(Number(env('BENCH_PORT')));

  const kafka = new Kafka({ clientId: 'bench-socketio', brokers: env('BENCH_KAFKA_BROKERS').split(','), logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: env('BENCH_GROUP'), maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topics: [env('BENCH_TOPIC')], fromBeginning: true });
  let joined = false;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    if (!joined) console.log(`listening ${env('BENCH_PORT')}`);
    joined = true;
  });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const room = message.headers?.[ROOM_HEADER]?.toString();
      if (room && message.value) io.to(room).emit('m', message.value.toString());
    },
  });

  const stop = async (): Promise<void> => {
    await consumer.disconnect().catch(() => {});
    await io.close();
    redis.disconnect();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
