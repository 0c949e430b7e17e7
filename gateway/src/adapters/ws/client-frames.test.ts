/** Strict client-frame and resume parsing: valid frames pass unchanged, anything else is Invalid. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseClientFrame, parseResume } from './client-frames.ts';

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

describe('parseClientFrame', () => {
  it('accepts every ces.v1 client frame', () => {
    const frames = [
      { type: 'ack', channel: 's:abc', seq: 3 },
      { type: 'ack', channel: '*', seq: 0 },
      { type: 'ping' },
      { type: 'ping', id: 'p-1' },
      { type: 'publish', id: 'm1', event: 'chat.sent', data: { text: 'hi' } },
      { type: 'subscribe', room: 'lobby' },
      { type: 'unsubscribe', room: 'lobby' },
    ];
    for (const f of frames) assert.deepEqual(parseClientFrame(JSON.stringify(f)), f);
  });

  it('refuses malformed, unknown and out-of-range frames with INVALID_FRAME', () => {
    const bad = ['', 'null', '[]', '42', '{', '{"type":"nope"}', '{"type":"ack","channel":"s:x","seq":-1}', '{"type":"ack","channel":"s:x","seq":1.5}',
      '{"type":"ack","channel":"bad channel","seq":1}', '{"type":"ping","id":{}}', '{"type":"publish","id":"x","event":"e"}', '{"type":"ping","extra":1}',
      '{"type":"subscribe","room":""}', '{"__proto__":{"type":"ping"}}', '{"type":"ack","channel":"s:x","seq":9007199254740993}'];
    for (const text of bad) {
      const r = parseClientFrame(text);
      assert.ok('invalid' in r && r.code === 'INVALID_FRAME', text);
    }
  });

  it('never throws on arbitrary input', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
      parseClientFrame(text);
    }));
  });
});

describe('parseResume', () => {
  it('reads base64url JSON positions and treats a missing parameter as no positions', () => {
    assert.deepEqual(parseResume(null), {});
    assert.deepEqual(parseResume(b64({ 's:a': { seq: 4, epoch: 'e1' }, '*': { seq: 0, epoch: 'e2' } })), { 's:a': { seq: 4, epoch: 'e1' }, '*': { seq: 0, epoch: 'e2' } });
  });

  it('refuses anything else', () => {
    const many = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`s:c${i}`, { seq: 1, epoch: 'e' }]));
    for (const p of ['not base64!', b64([1]), b64({ 's:a': { seq: 'x', epoch: 'e' } }), b64({ 'bad name': { seq: 1, epoch: 'e' } }), b64({ 's:a': { seq: 1, epoch: 'e', x: 1 } }), b64(many), 'a'.repeat(20000)]) {
      assert.ok('invalid' in parseResume(p), p.slice(0, 40));
    }
  });
});
