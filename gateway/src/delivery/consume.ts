/**
 * The consume path: kafka batch → decode/validate → route → history append (live publish inside)
 * → resolve offset. Rejected records go to the DLQ first, then are resolved. Guarantees:
 * - an offset is resolved (and so committed) only after its record is in every target channel's
 *   history or in the DLQ;
 * - a Redis failure stops the batch at the failing record (it is fetched again); after
 *   `breakerFailures` consecutive failures the breaker opens, the stream pauses, and a probe every
 *   `breakerHalfOpenMs` resumes it once Redis answers — nothing is skipped meanwhile;
 * - a DLQ produce failure throws, so kafkajs retries the batch with backoff (nothing resolved past it).
 */
import { ConsecutiveBreaker, CircuitState, circuitBreaker, handleAll, type CircuitBreakerPolicy } from 'cockatiel';
import type { Logger } from 'pino';
import type { GatewayMetrics } from '../observability/metrics.ts';
import { BreakerStates } from '@ces/contracts/metrics';
import type { Batch, BatchHandler, InboundStream } from '../ports/inbound.ts';
import type { History } from '../ports/history.ts';
import type { Producer } from '../ports/producer.ts';
import type { SessionStore } from '../ports/session-store.ts';
import { decodeRecord, reject, type BinaryDecoder, type Rejected } from '../core/decode.ts';
import { routeRecord } from '../core/route.ts';
import { storedMessageOf } from '../core/envelope.ts';
import { dlqRecordOf } from '../core/dlq.ts';
import { sessionOfChannel } from '../core/channels.ts';
import { sourceId, type SourceRecord, type StoredMessage } from '../core/record.ts';
import type { TopicRuntime } from './topics.ts';
import { createLiveSessions } from './live-sessions.ts';
import { startRecordTrace, type RecordTrace } from '../observability/tracing.ts';

export interface ConsumeDeps {
  history: History;
  producer: Producer;
  sessions: Pick<SessionStore, 'get'>;
  metrics: GatewayMetrics;
  logger: Logger;
  topics: TopicRuntime;
  binaryDecoder?: BinaryDecoder;
}

export interface ConsumeSettings {
  dlqTopic: string;
  overflowPolicy: 'dlq' | 'drop';
  unknownSessionPolicy: 'dlq' | 'drop' | 'store';
  breakerFailures: number;
  breakerHalfOpenMs: number;
  /** Records of one batch in flight at once (appends run concurrently across channels). */
  appendConcurrency: number;
  /** How long a session seen live is trusted without another read (live-sessions.ts). */
  sessionCacheMs: number;
}

export interface Consumption {
  handler: BatchHandler;
  /** Binds the stream the breaker pauses and resumes. */
  attach(stream: InboundStream): void;
  stop(): void;
  breakerOpen(): boolean;
}

type Outcome = { ok: true } | Rejected | { ok: 'dropped' };

export function createConsumption(deps: ConsumeDeps, s: ConsumeSettings): Consumption {
  const breaker: CircuitBreakerPolicy = circuitBreaker(handleAll, {
    halfOpenAfter: s.breakerHalfOpenMs,
    breaker: new ConsecutiveBreaker(Math.max(1, s.breakerFailures)),
  });
  let stream: InboundStream | undefined;
  let probe: NodeJS.Timeout | undefined;
  let stopped = false;
  const setState = (state: keyof typeof BreakerStates): void => deps.metrics.breakerState.set({ dependency: 'redis' }, BreakerStates[state]);
  setState('closed');

  breaker.onBreak(() => {
    setState('open');
    deps.logger.warn('history breaker open: pausing consumption');
    stream?.pause();
    scheduleProbe();
  });
  breaker.onHalfOpen(() => setState('half_open'));
  breaker.onReset(() => {
    setState('closed');
    deps.logger.info('history breaker closed: resuming consumption');
    stream?.resume();
  });

  function scheduleProbe(): void {
    if (stopped || probe) return;
    probe = setTimeout(() => {
      probe = undefined;
      breaker.execute(() => deps.history.ping()).catch(() => undefined).finally(() => {
        if (breaker.state !== CircuitState.Closed) scheduleProbe();
      });
    }, s.breakerHalfOpenMs);
    probe.unref();
  }

  const live = createLiveSessions(deps.sessions, s.sessionCacheMs);

  /** The routed channels that may take the record: every non-session channel, and session channels of live sessions. */
  async function targetsOf(channels: string[]): Promise<string[]> {
    if (s.unknownSessionPolicy === 'store') return channels;
    const keep = await Promise.all(channels.map((channel) => {
      const sid = sessionOfChannel(channel);
      return sid === undefined ? true : live.isLive(sid);
    }));
    return channels.filter((_, i) => keep[i]);
  }

  type Routed = Outcome | { channels: string[]; message: StoredMessage };

  async function decodeAndRoute(record: SourceRecord, trace: RecordTrace): Promise<Routed> {
    const topic = deps.topics.settings(record.topic);
    const decoded = await trace.stage('decode', () => decodeRecord(record, topic.decode, deps.binaryDecoder));
    if (!decoded.ok) return decoded;
    const routed = await trace.stage('route', () => routeRecord(record, decoded.data, topic.routing));
    if (!routed.ok) return routed;
    const message = storedMessageOf(record, decoded.data);
    // With tracing on, the consume span's trace (continuing the record's) goes into the frame.
    if (trace.traceId !== undefined) message.traceId = trace.traceId;
    return { channels: routed.channels, message };
  }

  async function append(record: SourceRecord, routedChannels: string[], message: StoredMessage): Promise<Outcome> {
    const channels = await targetsOf(routedChannels);
    if (channels.length === 0) {
      if (s.unknownSessionPolicy === 'drop') return { ok: 'dropped' };
      return reject('unknown_session', `no live session for ${routedChannels.filter((c) => sessionOfChannel(c)).join(', ')}`);
    }
    let overflow: string | undefined;
    for (const channel of channels) {
      const rejectUnackedOverflow = s.overflowPolicy === 'dlq' && sessionOfChannel(channel) !== undefined;
      const result = await deps.history.append(channel, message, { sourceId: sourceId(record), rejectUnackedOverflow });
      if (result.status === 'overflow') overflow = channel;
      else deps.metrics.historyAppendsTotal.inc({ outcome: result.status });
    }
    if (overflow) return reject('history_overflow', `${overflow} is full of unacked entries`);
    return { ok: true };
  }

  /**
   * Records are decoded and routed one after another (so per-channel order is fixed in offset
   * order), then appended concurrently across channels: each channel's appends are chained, a
   * failed append fails every later append of that channel, and offsets are resolved strictly in
   * order, so an unresolved record is never overtaken within its channel.
   */
  async function handler(batch: Batch): Promise<void> {
    const tails = new Map<string, Promise<unknown>>();
    const tasks: { trace: RecordTrace; outcome: Promise<Outcome> }[] = [];
    let routing: Promise<unknown> = Promise.resolve();
    const launch = (record: SourceRecord): void => {
      const trace = startRecordTrace(record);
      const routedP: Promise<Routed> = routing.then(() => decodeAndRoute(record, trace));
      routing = routedP.catch(() => undefined);
      const outcome: Promise<Outcome> = routedP.then((routed) => {
        if ('ok' in routed) return routed;
        const before = routed.channels.map((c) => tails.get(c));
        const run = Promise.all(before).then(() => trace.stage('history', () => breaker.execute(() => append(record, routed.channels, routed.message))));
        for (const c of routed.channels) tails.set(c, run);
        return run;
      });
      outcome.catch(() => undefined); // observed below, in order
      tasks.push({ trace, outcome });
    };
    const records = batch.records;
    for (let k = 0; k < records.length; k++) {
      while (tasks.length < records.length && tasks.length - k < s.appendConcurrency && breaker.state === CircuitState.Closed) launch(records[tasks.length]!);
      if (stopped || !batch.isActive() || k >= tasks.length) break;
      const record = records[k]!;
      const { trace, outcome: pending } = tasks[k]!;
      let outcome: Outcome;
      try {
        outcome = await pending;
      } catch (err) {
        // Redis (or the session store) failed: leave this record unresolved; it is fetched again.
        trace.end('retry', err);
        deps.logger.warn({ err, topic: record.topic, partition: record.partition, offset: record.offset }, 'history append failed');
        break;
      }
      if (outcome.ok === false) {
        await deps.producer.send(s.dlqTopic, dlqRecordOf(record, outcome.reason, outcome.error));
        deps.metrics.dlqRecordsTotal.inc({ reason: outcome.reason });
      }
      trace.end(outcome.ok === true ? 'delivered' : outcome.ok === false ? `dlq:${outcome.reason}` : 'dropped');
      deps.metrics.recordsConsumedTotal.inc({ topic: record.topic });
      batch.resolve(record.offset);
    }
    // No append of this batch may still run when its records are fetched again.
    await Promise.allSettled(tasks.map((t) => t.outcome));
    const labels = { topic: batch.topic, partition: batch.partition };
    lagSeries.set(`${batch.topic}/${batch.partition}`, labels);
    deps.metrics.consumerLagRecords.set(labels, Number(batch.lag()));
  }

  /** Lag series of partitions this member reported; revoked ones are removed so sum() over the fleet is the group's lag. */
  const lagSeries = new Map<string, { topic: string; partition: number }>();
  function onAssignment(assigned: Readonly<Record<string, readonly number[]>>): void {
    for (const [key, labels] of lagSeries) {
      if (assigned[labels.topic]?.includes(labels.partition)) continue;
      deps.metrics.consumerLagRecords.remove(labels);
      lagSeries.delete(key);
    }
  }

  return {
    handler,
    attach(s2) {
      stream = s2;
      s2.onAssignment(onAssignment);
    },
    stop() {
      stopped = true;
      if (probe) clearTimeout(probe);
    },
    breakerOpen: () => breaker.state !== CircuitState.Closed,
  };
}
