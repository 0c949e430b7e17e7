/**
 * The log schema: the names of the fields CES log lines carry, in one place (docs/observability.md
 * documents each). pino writes JSON lines `{ level, time, node, component, ...fields, msg }`.
 *
 * Correlation guarantee: every line about a message carries `messageId`, `traceId` (when the
 * message has one) and `session` (a fingerprint, never the session id) — build those bindings with
 * {@link messageLogFields} so no call site forgets one or leaks the raw id.
 */
import { fingerprint } from './logger.ts';

export const LogFields = {
  /** Set once on the root logger: the gateway process (pod) name. */
  node: 'node',
  /** Child logger per component: `http`, `register`, `sessions`, `ws`, `delivery`, `kafka`, `kafka-consumer`, … */
  component: 'component',
  /** Stable message id (`ces-message-id` header or `<topic>-<partition>-<offset>`). */
  messageId: 'messageId',
  /** W3C trace id (32 hex) of the message or request. */
  traceId: 'traceId',
  /** Session fingerprint: first 8 hex of sha256(sessionId). The raw id is redacted if ever logged. */
  session: 'session',
  /** Connection id (random per socket, not a secret). */
  connId: 'connId',
  topic: 'topic',
  partition: 'partition',
  offset: 'offset',
  /** Channel kind only (`s`, `c`, `r`, `*`) — channel names embed session/customer ids. */
  channelKind: 'channelKind',
  seq: 'seq',
  /** Close code of a disconnect. */
  code: 'code',
  /** Registration / connection outcome (the same values as the metrics' `outcome` label). */
  outcome: 'outcome',
  /** DLQ reason (the same values as `ces_gateway_dlq_records_total{reason}`). */
  reason: 'reason',
  /** An Error, serialized by pino (`type`, `message`, `stack`, `code`). */
  err: 'err',
  /** `true` on audit lines (registration outcomes, connection lifecycle). */
  audit: 'audit',
} as const;

export interface MessageRef {
  messageId: string;
  traceId?: string;
}

/** Correlation fields for a line about `message` (optionally for one session). */
export function messageLogFields(message: MessageRef, sessionId?: string): Record<string, string> {
  const fields: Record<string, string> = { [LogFields.messageId]: message.messageId };
  if (message.traceId !== undefined) fields[LogFields.traceId] = message.traceId;
  if (sessionId !== undefined) fields[LogFields.session] = fingerprint(sessionId);
  return fields;
}
