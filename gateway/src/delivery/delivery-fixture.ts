/**
 * Test fixture for delivery on in-memory twins: a Delivery over MemoryKafka + memory history, the
 * edge's MemorySessionStore, and FakeConnections that record what a client would receive.
 */
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import type { ResumePositions, ServerFrame, MessageFrame, WelcomeFrame } from '@ces/contracts/protocol';
import type { CloseCodeName } from '@ces/contracts/close-codes';
import type { ClientConnection, SessionIdentity } from '../ports/delivery.ts';
import { loadConfig } from '../config/load.ts';
import { createMetrics, type GatewayMetrics } from '../observability/metrics.ts';
import { MemorySessionStore } from '../adapters/memory/memory-session-store.ts';
import { MemoryKafka, type MemoryInbound } from '../adapters/memory/kafka.ts';
import { createDelivery, type Delivery } from './index.ts';

export class FakeConnection implements ClientConnection {
  readonly connId = randomUUID();
  readonly session: SessionIdentity;
  readonly frames: ServerFrame[] = [];
  closedWith: CloseCodeName | undefined;
  /** Frames accepted before the fake reports 'slow' (the edge closes the socket with SLOW_CONSUMER). */
  capacity: number;

  constructor(session: SessionIdentity, capacity = Infinity) {
    this.session = session;
    this.capacity = capacity;
  }
  get isOpen(): boolean {
    return this.closedWith === undefined;
  }
  send(frame: ServerFrame): 'sent' | 'slow' | 'closed' {
    if (!this.isOpen) return 'closed';
    if (this.frames.length >= this.capacity) {
      this.closedWith = 'SLOW_CONSUMER';
      return 'slow';
    }
    this.frames.push(frame);
    return 'sent';
  }
  close(code: CloseCodeName): void {
    this.closedWith ??= code;
  }
  messages(): MessageFrame[] {
    return this.frames.filter((f): f is MessageFrame => f.type === 'message');
  }
}

export interface Fixture {
  delivery: Delivery;
  metrics: GatewayMetrics;
  kafka: MemoryKafka;
  sessions: MemorySessionStore;
  topic: string;
  dlq: string;
  inbound: string;
  session(id: string, customerId?: string, rooms?: string[]): Promise<SessionIdentity>;
  connect(session: SessionIdentity, resume?: ResumePositions, capacity?: number): Promise<{ conn: FakeConnection; welcome: WelcomeFrame }>;
  produce(headers: Record<string, string>, data: unknown, key?: string): void;
  /** Waits until the consumer handled everything and connections drained their queues. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

export async function createFixture(overrides: Record<string, unknown> = {}): Promise<Fixture> {
  const topic = 'events';
  const config = loadConfig([], {}, {
    node: 'test-node',
    kafka: { topics: [topic], dlqTopic: 'dlq', inboundTopic: 'inbound', ...(overrides.kafka as object) },
    history: { maxEntries: 20, breakerFailures: 2, breakerHalfOpenMs: 50, ...(overrides.history as object) },
    ...(overrides.delivery ? { delivery: overrides.delivery } : {}),
  });
  const kafka = new MemoryKafka();
  kafka.createTopic(topic, 3);
  kafka.createTopic('dlq', 1);
  kafka.createTopic('inbound', 2);
  const sessions = new MemorySessionStore({ tombstoneMs: 60_000 });
  const metrics = createMetrics(undefined, { defaultMetrics: false });
  const delivery = createDelivery(config, { sessions, metrics, logger: pino({ level: 'silent' }), memoryKafka: kafka });
  await delivery.start();
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 3; i++) {
      await (delivery.parts.inbound as MemoryInbound).idle();
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setTimeout(r, 1));
    }
  };
  return {
    delivery, metrics, kafka, sessions, topic, dlq: 'dlq', inbound: 'inbound',
    async session(id, customerId = `cust-${id}`, rooms = []) {
      await sessions.create({ sessionId: id, customerId, rooms, ttlMs: 60_000 }, 1000);
      await sessions.register(id);
      return { sessionId: id, customerId, rooms, expiresAt: Date.now() + 60_000 };
    },
    async connect(session, resume = {}, capacity = Infinity) {
      const conn = new FakeConnection(session, capacity);
      const welcome = await delivery.handler.open(conn, resume);
      await settle();
      return { conn, welcome };
    },
    produce(headers, data, key) {
      kafka.append(topic, { key: key === undefined ? null : Buffer.from(key), value: Buffer.from(JSON.stringify(data)), headers });
    },
    settle,
    close: () => delivery.stop(),
  };
}
