/**
 * Producing on behalf of clients and backends:
 * - client `publish` frames → the inbound topic, keyed by session id, deduplicated by the
 *   client's id per session (claim → produce → remember the result for a TTL), answered with a
 *   `published` frame (duplicate: true for a retry of a completed id);
 * - `POST /api/push` → the stream's topic, target in the ces-* headers, event in ces-event;
 * - `POST /admin/dlq/replay` → DLQ records re-published to their original topic, retry count + 1.
 */
import type { ErrorFrame, PublishFrame, PublishResultFrame } from '@ces/contracts/protocol';
import type { SessionIdentity } from '../ports/delivery.ts';
import type { PublishDedupe, PublishResult } from '../ports/inbound.ts';
import type { DlqSelection, Producer, TopicReader } from '../ports/producer.ts';
import type { GatewayMetrics } from '../observability/metrics.ts';
import { EVENT_HEADER, MESSAGE_ID_HEADER } from '../core/envelope.ts';
import { TargetHeaders } from '../core/route.ts';
import { isValidTargetId } from '../core/channels.ts';
import { DlqHeaders, replayRecordOf } from '../core/dlq.ts';
import { startPublishSpan, type Headers as TraceHeaders } from '../observability/tracing.ts';

export const PUBLISH_ID_HEADER = 'ces-publish-id';

export interface ClientPublisher {
  publish(session: SessionIdentity, frame: PublishFrame): Promise<PublishResultFrame | ErrorFrame>;
}

export interface PublishDeps {
  producer: Producer | undefined;
  dedupe: PublishDedupe;
  metrics: GatewayMetrics;
  inboundTopic: string;
}

const SHORT = /^[\x21-\x7e]{1,128}$/;

export function createClientPublisher(deps: PublishDeps): ClientPublisher {
  return {
    async publish(session, frame) {
      const fail = (code: string, message: string): ErrorFrame => ({ type: 'error', code, message, id: frame.id });
      if (typeof frame.id !== 'string' || !SHORT.test(frame.id)) return { type: 'error', code: 'INVALID_REQUEST', message: 'publish id must be 1-128 printable ASCII characters' };
      if (typeof frame.event !== 'string' || !SHORT.test(frame.event)) return fail('INVALID_REQUEST', 'event must be 1-128 printable ASCII characters');
      if (frame.data === undefined) return fail('INVALID_REQUEST', 'data is required');
      if (!deps.producer) return fail('UNAVAILABLE', 'publishing is not configured');
      const claim = await deps.dedupe.claim(session.sessionId, frame.id);
      if (claim.state === 'done') return { type: 'published', id: frame.id, ...claim.result, duplicate: true };
      if (claim.state === 'pending') return fail('UNAVAILABLE', 'a publish with this id is in progress; retry later');
      let result: PublishResult;
      // The record starts a trace (W3C traceparent header) that the backend consuming the inbound topic continues.
      const traced = startPublishSpan('client', deps.inboundTopic);
      try {
        result = await deps.producer.send(deps.inboundTopic, {
          key: Buffer.from(session.sessionId),
          value: Buffer.from(JSON.stringify(frame.data)),
          headers: {
            ...traced.headers,
            [TargetHeaders.session]: session.sessionId,
            [TargetHeaders.customer]: session.customerId,
            [EVENT_HEADER]: frame.event,
            [PUBLISH_ID_HEADER]: frame.id,
          },
        });
      } catch {
        traced.span.end();
        await deps.dedupe.release(session.sessionId, frame.id).catch(() => undefined);
        return fail('UNAVAILABLE', 'could not publish now; retry with the same id');
      }
      traced.span.end();
      await deps.dedupe.complete(session.sessionId, frame.id, result);
      deps.metrics.publishedTotal.inc({ source: 'client' });
      return { type: 'published', id: frame.id, ...result, duplicate: false };
    },
  };
}

export interface PushRequest {
  target: { sessionId?: string; customerId?: string; room?: string; broadcast?: boolean };
  event: string;
  data: unknown;
  messageId?: string;
}

/** JSON Schema of the push body (fastify validates it before the handler runs). */
export const pushBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['target', 'event', 'data'],
  properties: {
    target: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      maxProperties: 1,
      properties: {
        sessionId: { type: 'string', pattern: '^[A-Za-z0-9._:@-]{1,200}$' },
        customerId: { type: 'string', pattern: '^[A-Za-z0-9._:@-]{1,200}$' },
        room: { type: 'string', pattern: '^[A-Za-z0-9._:@-]{1,200}$' },
        broadcast: { type: 'boolean', const: true },
      },
    },
    event: { type: 'string', pattern: '^[\\x21-\\x7e]{1,128}$' },
    data: {},
    messageId: { type: 'string', pattern: '^[\\x21-\\x7e]{1,200}$' },
  },
} as const;

/**
 * Produces a push. `incoming` are the HTTP request's headers: a `traceparent` there is continued,
 * otherwise a new trace starts; either way the record carries it to the gateways that deliver it.
 */
export async function push(producer: Producer, topic: string, req: PushRequest, incoming: TraceHeaders = {}): Promise<PublishResult> {
  const traced = startPublishSpan('push', topic, incoming);
  const headers: Record<string, string> = { ...traced.headers, [EVENT_HEADER]: req.event };
  const t = req.target;
  let key: string | null = null;
  if (t.sessionId !== undefined && isValidTargetId(t.sessionId)) headers[TargetHeaders.session] = key = t.sessionId;
  else if (t.customerId !== undefined && isValidTargetId(t.customerId)) headers[TargetHeaders.customer] = key = t.customerId;
  else if (t.room !== undefined && isValidTargetId(t.room)) headers[TargetHeaders.room] = key = t.room;
  else if (t.broadcast === true) headers[TargetHeaders.broadcast] = 'true';
  else {
    traced.span.end();
    throw new Error('target names no valid session, customer, room or broadcast');
  }
  if (req.messageId !== undefined) headers[MESSAGE_ID_HEADER] = req.messageId;
  // Keyed by target so one target's pushes stay in one partition (ordered).
  try {
    return await producer.send(topic, { key: key === null ? null : Buffer.from(key), value: Buffer.from(JSON.stringify(req.data)), headers });
  } finally {
    traced.span.end();
  }
}

export interface ReplayReport {
  replayed: number;
  skipped: number;
  results: (PublishResult & { fromOffset: string })[];
}

/** Re-publishes the selected DLQ records to their original topics (retry count + 1). */
export async function replayDlq(producer: Producer, reader: TopicReader, dlqTopic: string, selection: DlqSelection): Promise<ReplayReport> {
  const records = await reader.read(dlqTopic, selection);
  const report: ReplayReport = { replayed: 0, skipped: 0, results: [] };
  for (const record of records) {
    const replay = replayRecordOf(record);
    if (!replay) {
      report.skipped++;
      continue;
    }
    // The replayed record keeps its original message id, so clients can recognise it.
    const original = `${record.headers[DlqHeaders.topic]}-${record.headers[DlqHeaders.partition]}-${record.headers[DlqHeaders.offset]}`;
    replay.record.headers[MESSAGE_ID_HEADER] ??= original;
    const result = await producer.send(replay.topic, replay.record);
    report.replayed++;
    report.results.push({ ...result, fromOffset: record.offset });
  }
  return report;
}
