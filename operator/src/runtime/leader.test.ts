import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { KubeApiError } from './cluster.ts';
import type { Cluster, KubeObject, ObjectRef } from './cluster.ts';
import { LeaderElector, microTime } from './leader.ts';

/** The Lease part of the API server: optimistic concurrency on resourceVersion, like the real one. */
class LeaseTwin {
  lease: KubeObject | undefined;
  #rv = 0;
  failing = false;
  readonly cluster = {
    get: async (_ref: ObjectRef) => {
      this.#check();
      return this.lease && structuredClone(this.lease);
    },
    create: async (obj: KubeObject) => {
      this.#check();
      if (this.lease) throw new KubeApiError(409, 'AlreadyExists', 'exists');
      this.lease = { ...structuredClone(obj), metadata: { ...obj.metadata, resourceVersion: String(++this.#rv) } };
      return structuredClone(this.lease);
    },
    replace: async (obj: KubeObject) => {
      this.#check();
      if (obj.metadata.resourceVersion !== this.lease?.metadata.resourceVersion) throw new KubeApiError(409, 'Conflict', 'conflict');
      this.lease = { ...structuredClone(obj), metadata: { ...obj.metadata, resourceVersion: String(++this.#rv) } };
      return structuredClone(this.lease);
    },
  } as unknown as Cluster;
  #check() {
    if (this.failing) throw new KubeApiError(503, 'ServiceUnavailable', 'down');
  }
  holder(): string | null | undefined {
    return (this.lease?.spec as { holderIdentity?: string | null } | undefined)?.holderIdentity;
  }
}

const timings = { namespace: 'ns', leaseName: 'lease', leaseDurationMs: 300, renewDeadlineMs: 200, retryPeriodMs: 20 };

function elector(twin: LeaseTwin, identity: string, log: string[]) {
  return new LeaderElector(twin.cluster, { ...timings, identity }, {
    onStartedLeading: () => void log.push(`${identity}+`),
    onStoppedLeading: () => void log.push(`${identity}-`),
  });
}

async function until(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await sleep(5);
  }
}

describe('LeaderElector', () => {
  it('elects exactly one of two candidates and hands over when the leader stops', async () => {
    const twin = new LeaseTwin();
    const log: string[] = [];
    const a = elector(twin, 'a', log);
    const b = elector(twin, 'b', log);
    a.start();
    b.start();
    await until(() => a.isLeader || b.isLeader);
    await sleep(100);
    assert.equal(Number(a.isLeader) + Number(b.isLeader), 1);
    const [leader, standby] = a.isLeader ? [a, b] : [b, a];
    await leader.stop();
    assert.equal(twin.holder(), null, 'the Lease is released on stop');
    await until(() => standby.isLeader);
    assert.equal(leader.isLeader, false);
    await standby.stop();
    assert.equal(log.filter((l) => l.endsWith('+')).length, 2);
  });

  it('takes over a Lease whose holder stopped renewing, only after the lease duration', async () => {
    const twin = new LeaseTwin();
    const now = new Date();
    twin.lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'lease', namespace: 'ns', resourceVersion: '1' },
      spec: { holderIdentity: 'crashed', leaseDurationSeconds: 1, renewTime: microTime(now), acquireTime: microTime(now) },
    };
    const log: string[] = [];
    const c = elector(twin, 'c', log);
    const started = Date.now();
    c.start();
    await until(() => c.isLeader);
    assert.ok(Date.now() - started >= 900, 'waited for the crashed holder\'s lease to expire');
    assert.equal((twin.lease?.spec as { leaseTransitions: number }).leaseTransitions, 1);
    await c.stop();
  });

  it('steps down when it cannot renew within the renew deadline', async () => {
    const twin = new LeaseTwin();
    const log: string[] = [];
    const a = elector(twin, 'a', log);
    a.start();
    await until(() => a.isLeader);
    twin.failing = true;
    await until(() => !a.isLeader);
    assert.deepEqual(log, ['a+', 'a-']);
    twin.failing = false;
    await until(() => a.isLeader);
    await a.stop();
  });
});
