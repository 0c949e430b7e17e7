import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ChannelCursor, planResume } from './resume.ts';

const window = { epoch: 'E', top: 10, oldest: 4, acked: 0 };

describe('planResume', () => {
  it('replays from the furthest of stored ack and client position in the current epoch', () => {
    const plan = planResume({ channel: 's:a', window, acked: 5, client: { seq: 7, epoch: 'E' }, replayFromStart: true });
    assert.deepEqual(plan, { after: 7, state: { channel: 's:a', seq: 10, epoch: 'E', recovered: true } });
    assert.equal(planResume({ channel: 's:a', window, acked: 8, client: { seq: 7, epoch: 'E' }, replayFromStart: true }).after, 8);
  });
  it('reports the missing range when history was trimmed past the position', () => {
    const plan = planResume({ channel: 's:a', window, acked: 1, replayFromStart: true });
    assert.deepEqual(plan.state, { channel: 's:a', seq: 10, epoch: 'E', recovered: false, missing: { from: 2, to: 3 } });
    assert.equal(plan.after, 3);
  });
  it('an offline session with no position gets everything buffered; shared channels start live', () => {
    assert.deepEqual(planResume({ channel: 's:a', window: { epoch: 'E', top: 3, oldest: 1, acked: 0 }, replayFromStart: true }).after, 0);
    assert.deepEqual(planResume({ channel: '*', window, replayFromStart: false }), {
      after: 10,
      state: { channel: '*', seq: 10, epoch: 'E', recovered: true },
    });
  });
  it('a client position of a lost epoch is not recovered and gets what the new epoch holds', () => {
    const plan = planResume({ channel: 'c:x', window, client: { seq: 9, epoch: 'OLD' }, replayFromStart: false });
    assert.deepEqual(plan, { after: 3, state: { channel: 'c:x', seq: 10, epoch: 'E', recovered: false } });
  });
  it('clamps a position beyond the top', () => {
    assert.equal(planResume({ channel: 'c:x', window, client: { seq: 99, epoch: 'E' }, replayFromStart: false }).after, 10);
  });
});

describe('ChannelCursor', () => {
  it('passes each seq once, in order, and names gaps and epoch changes', () => {
    const cursor = new ChannelCursor('E', 2);
    assert.deepEqual(
      [cursor.offer('E', 2), cursor.offer('E', 3), cursor.offer('E', 5), cursor.offer('E', 4), cursor.offer('F', 5), cursor.offer('E', 4)],
      ['duplicate', 'send', 'gap', 'send', 'epoch_changed', 'duplicate'],
    );
    assert.equal(cursor.last, 4);
  });
});
