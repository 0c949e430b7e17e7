/**
 * decode → validate: turns a record's value bytes into `data`, or into a DLQ reason. Never throws
 * for bad input: every malformed record becomes a `Rejected` so consumption never stops.
 */
import type { DlqReason } from '@ces/contracts/metrics';
import type { SourceRecord } from './record.ts';

/** Why a record goes to the DLQ: the metric contract's closed set (ces_gateway_dlq_records_total{reason}). */
export type { DlqReason };

export interface Rejected {
  ok: false;
  reason: DlqReason;
  error: string;
}

export type Decoded = { ok: true; data: unknown } | Rejected;

/** Decodes bytes of a non-JSON format (Avro/Protobuf through a schema registry); throws on bad bytes. */
export type BinaryDecoder = (value: Buffer, topic: string) => Promise<unknown>;

/** Returns undefined when `data` is valid, else a short description of the first problem. */
export type Validator = (data: unknown) => string | undefined;

export interface DecodeSettings {
  format: 'json' | 'avro' | 'protobuf';
  /** Records whose key + value + headers exceed this many bytes are rejected as too_large. */
  maxRecordBytes: number;
  validate?: Validator;
}

export function reject(reason: DlqReason, error: string): Rejected {
  return { ok: false, reason, error: error.slice(0, 500) };
}

export function recordBytes(record: SourceRecord): number {
  let size = (record.key?.length ?? 0) + (record.value?.length ?? 0);
  for (const [name, value] of Object.entries(record.headers)) size += name.length + Buffer.byteLength(value);
  return size;
}

export async function decodeRecord(record: SourceRecord, settings: DecodeSettings, binary?: BinaryDecoder): Promise<Decoded> {
  if (recordBytes(record) > settings.maxRecordBytes) {
    return reject('too_large', `record is ${recordBytes(record)} bytes, limit ${settings.maxRecordBytes}`);
  }
  if (record.value === null || record.value.length === 0) return reject('decode', 'empty value (tombstone)');
  let data: unknown;
  try {
    if (settings.format === 'json') data = JSON.parse(record.value.toString('utf8'));
    else if (binary) data = await binary(record.value, record.topic);
    else return reject('decode', `no decoder configured for format ${settings.format}`);
  } catch (err) {
    return reject('decode', `${settings.format}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const problem = settings.validate?.(data);
  if (problem !== undefined) return reject('validation', problem);
  return { ok: true, data };
}
