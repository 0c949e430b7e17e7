import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeRecord } from './decode.ts';
import { routeRecord } from './route.ts';
import { messageFrame, storedMessageOf, traceIdOf } from './envelope.ts';
import { dlqRecordOf, replayRecordOf } from './dlq.ts';
import { channelsOf, channelKind } from './channels.ts';
import type { SourceRecord } from './record.ts';

function record(over: Partial<SourceRecord> = {}): SourceRecord {
  return {
    topic: 'events',
    partition: 2,
    offset: '41',
    timestamp: '1700000000000',
    key: null,
    value: Buffer.from('{"a":1}'),
    headers: {},
    ...over,
  };
}
const json = { format: 'json' as const, maxRecordBytes: 1000 };

describe('decodeRecord', () => {
  it('decodes JSON values', async () => {
    assert.deepEqual(await decodeRecord(record(), json), { ok: true, data: { a: 1 } });
  });
  it('rejects each malformed class with its reason', async () => {
    const cases: [SourceRecord, object, string][] = [
      [record({ value: Buffer.from('{not json') }), json, 'decode'],
      [record({ value: null }), json, 'decode'],
      [record({ value: Buffer.alloc(2000, 0x20) }), json, 'too_large'],
      [record({ headers: { big: 'x'.repeat(1000) } }), json, 'too_large'],
      [record({ value: Buffer.from([0xff, 0xfe, 0x00]) }), json, 'decode'],
      [record(), { ...json, validate: () => 'a must be a string' }, 'validation'],
      [record(), { format: 'avro', maxRecordBytes: 1000 }, 'decode'],
    ];
    for (const [rec, settings, reason] of cases) {
      const result = await decodeRecord(rec, settings as typeof json);
      assert.equal(result.ok ? 'ok' : result.reason, reason);
    }
  });
  it('reports a binary decoder failure as decode_failed', async () => {
    const result = await decodeRecord(record(), { format: 'avro', maxRecordBytes: 1000 }, async () => {
      throw new Error('unknown magic byte');
    });
    assert.deepEqual(result, { ok: false, reason: 'decode', error: 'avro: unknown magic byte' });
  });
});

describe('routeRecord', () => {
  const headers = { source: 'headers' as const, target: 'session' as const };
  it('routes by each target header to its channel type', () => {
    const r = routeRecord(
      record({ headers: { 'ces-session-id': 'S1', 'ces-customer-id': 'C1', 'ces-room': 'a, b', 'ces-broadcast': 'true' } }),
      {},
      headers,
    );
    assert.deepEqual(r, { ok: true, channels: ['*', 's:S1', 'c:C1', 'r:a', 'r:b'] });
  });
  it('routes by key and by JSON field', () => {
    assert.deepEqual(routeRecord(record({ key: Buffer.from('cust-9') }), {}, { source: 'key', target: 'customer' }), {
      ok: true,
      channels: ['c:cust-9'],
    });
    assert.deepEqual(routeRecord(record(), { meta: { sid: 'S2' } }, { source: 'field', target: 'session', field: 'meta.sid' }), {
      ok: true,
      channels: ['s:S2'],
    });
  });
  it('rejects records without or with hostile targets as no_target', () => {
    const bad: [Partial<SourceRecord>, unknown, Parameters<typeof routeRecord>[2]][] = [
      [{}, {}, headers],
      [{ headers: { 'ces-session-id': 'a b' } }, {}, headers],
      [{ headers: { 'ces-session-id': '{ch:x}' } }, {}, headers],
      [{ headers: { 'ces-room': 'ok,' } }, {}, headers],
      [{ headers: { 'ces-broadcast': 'yes' } }, {}, headers],
      [{ key: null }, {}, { source: 'key', target: 'session' }],
      [{}, { sid: { nested: true } }, { source: 'field', target: 'session', field: 'sid' }],
      [{}, { __proto__: { sid: 'x' } }, { source: 'field', target: 'session', field: 'sid' }],
      [{ headers: { 'ces-session-id': 'x'.repeat(201) } }, {}, headers],
    ];
    for (const [over, data, settings] of bad) assert.equal(routeRecord(record(over), data, settings).ok, false);
  });
  it('property: a record routed to a session reaches only channels that session listens to', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9]{1,12}$/), fc.stringMatching(/^[A-Za-z0-9]{1,12}$/), (a, b) => {
        fc.pre(a !== b);
        const routed = routeRecord(record({ headers: { 'ces-session-id': a } }), {}, headers);
        const other = channelsOf({ sessionId: b, customerId: `cust-${b}`, rooms: [], expiresAt: 0 });
        return routed.ok && routed.channels.every((ch) => !other.includes(ch));
      }),
    );
  });
});

describe('envelope', () => {
  it('builds the seed 000 §6.2 envelope with channel, seq, epoch and traceId', () => {
    const rec = record({ headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', 'ces-event': 'order' } });
    const frame = messageFrame({ channel: 'c:C', seq: 7, epoch: 'e1', message: storedMessageOf(rec, { a: 1 }) }, 'S9');
    assert.deepEqual(frame, {
      type: 'message',
      messageId: 'events-2-41',
      sessionId: 'S9',
      timestamp: '2023-11-14T22:13:20.000Z',
      data: { a: 1 },
      source: 'events',
      channel: 'c:C',
      seq: 7,
      epoch: 'e1',
      event: 'order',
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    });
  });
  it('keeps a ces-message-id header as the message id and ignores invalid traceparents', () => {
    const msg = storedMessageOf(record({ headers: { 'ces-message-id': 'biz-1', traceparent: '00-zz-00-01' } }), null);
    assert.equal(msg.messageId, 'biz-1');
    assert.equal(msg.traceId, undefined);
    assert.equal(traceIdOf('00-00000000000000000000000000000000-00f067aa0ba902b7-01'), undefined);
  });
});

describe('dlq', () => {
  it('keeps the original bytes and headers and adds reason, error, position, time, retry count', () => {
    const rec = record({ key: Buffer.from('k'), headers: { a: '1' } });
    const out = dlqRecordOf(rec, 'decode', 'bad');
    assert.deepEqual(out.value, rec.value);
    assert.deepEqual(out.key, rec.key);
    assert.deepEqual(out.headers, {
      a: '1',
      'ces-dlq-reason': 'decode',
      'ces-dlq-error': 'bad',
      'ces-dlq-original-topic': 'events',
      'ces-dlq-original-partition': '2',
      'ces-dlq-original-offset': '41',
      'ces-dlq-original-timestamp': '1700000000000',
      'ces-dlq-retry-count': '0',
    });
  });
  it('replays to the original topic with retry count + 1, and refuses foreign records', () => {
    const dlq = record({ topic: 'dlq', headers: dlqRecordOf(record({ headers: { a: '1' } }), 'no_target', 'x').headers });
    const replay = replayRecordOf(dlq);
    assert.equal(replay?.topic, 'events');
    assert.deepEqual(replay?.record.headers, { a: '1', 'ces-dlq-retry-count': '1' });
    const again = dlqRecordOf(record({ headers: replay!.record.headers }), 'no_target', 'x');
    assert.equal(again.headers['ces-dlq-retry-count'], '1');
    assert.equal(replayRecordOf(record()), undefined);
  });
});

describe('channels', () => {
  it("lists a session's channels and classifies names", () => {
    assert.deepEqual(channelsOf({ sessionId: 'S', customerId: 'C', rooms: ['x', 'x', 'bad room'], expiresAt: 0 }), ['s:S', 'c:C', 'r:x', '*']);
    assert.deepEqual(['s:a', 'c:b', 'r:c', '*', 'x:y', 's:', 's:{x}'].map(channelKind), ['session', 'customer', 'room', 'broadcast', undefined, undefined, undefined]);
  });
});
