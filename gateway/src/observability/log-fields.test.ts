import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger, fingerprint } from './logger.ts';
import { messageLogFields } from './log-fields.ts';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const dest = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      cb();
    },
  });
  return { lines, logger: createLogger({ level: 'info', node: 'gw-1' }, dest) };
}

describe('log correlation fields', () => {
  it('puts messageId, traceId and the session fingerprint on a message line, never the session id', async () => {
    const { lines, logger } = capture();
    const sessionId = 'sess_9f8e7d6c5b4a39281706f5e4d3c2b1a0';
    logger.child({ component: 'delivery' }).warn(messageLogFields({ messageId: 'orders-2-41', traceId: 'a'.repeat(32) }, sessionId), 'Delivery failed');
    await new Promise((r) => setImmediate(r));
    const line = lines[0]!;
    assert.equal(line.messageId, 'orders-2-41');
    assert.equal(line.traceId, 'a'.repeat(32));
    assert.equal(line.session, fingerprint(sessionId));
    assert.equal(line.component, 'delivery');
    assert.equal(line.node, 'gw-1');
    assert.equal(line.level, 'warn');
    assert.ok(!JSON.stringify(line).includes(sessionId));
  });

  it('omits traceId and session when the message has none', () => {
    assert.deepEqual(messageLogFields({ messageId: 'm' }), { messageId: 'm' });
  });
});
