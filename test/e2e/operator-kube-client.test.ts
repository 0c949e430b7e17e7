/**
 * The operator's Kubernetes adapter (operator/src/runtime/kube.ts) against the real API server:
 * server-side apply with field ownership, merge patches, the status subresource, Secrets, Events,
 * discovery of kinds that come and go, and error mapping.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { KubeApiError } from '../../operator/src/runtime/cluster.ts';
import type { KubeObject } from '../../operator/src/runtime/cluster.ts';
import { clusterFor, createNamespace, deleteNamespaces, kube, waitFor } from './operator-harness.ts';
import { uniqueName } from '../support/infra.ts';

describe('operator Kubernetes adapter (real kube-apiserver)', { skip: kube.skip }, () => {
  const cluster = clusterFor();
  let ns = '';
  before(async () => {
    ns = await createNamespace(cluster, 'e2e-kubeclient');
  });
  after(() => deleteNamespaces(cluster, [ns]));

  it('applies with a field manager, keeps other managers\' fields, and forces conflicts it owns', async () => {
    const cm = (data: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: ns }, data });
    await cluster.apply(cm({ a: '1' }), 'ces-operator');
    await cluster.apply(cm({ b: 'theirs' }), 'someone-else');
    await cluster.mergePatch({ apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name: 'cm' }, { data: { a: 'edited' } });
    const applied = await cluster.apply(cm({ a: '1' }), 'ces-operator');
    assert.deepEqual(applied.data, { a: '1', b: 'theirs' });
  });

  it('lists with a label selector and fills in apiVersion and kind on items', async () => {
    await cluster.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'labelled', namespace: ns, labels: { pick: 'me' } } }, 'ces-operator');
    const items = await cluster.list('v1', 'ConfigMap', { namespace: ns, labelSelector: 'pick=me' });
    assert.deepEqual(items.map((i) => [i.apiVersion, i.kind, i.metadata.name]), [['v1', 'ConfigMap', 'labelled']]);
  });

  it('reports a missing object as undefined / false, and other failures as KubeApiError with the status', async () => {
    assert.equal(await cluster.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name: 'nope' }), undefined);
    assert.equal(await cluster.delete({ apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name: 'nope' }), false);
    await assert.rejects(
      cluster.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Not_A_Valid_Name', namespace: ns } }),
      (err: unknown) => err instanceof KubeApiError && err.statusCode === 422,
    );
    await assert.rejects(clusterFor('not-a-token').list('v1', 'ConfigMap', { namespace: ns }), (err: unknown) => err instanceof KubeApiError && err.statusCode === 401);
  });

  it('decodes Secrets and records Events on an object', async () => {
    await cluster.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds', namespace: ns }, stringData: { username: 'u', password: 'p@ss' } });
    assert.deepEqual(await cluster.readSecret(ns, 'creds'), { username: 'u', password: 'p@ss' });
    assert.equal(await cluster.readSecret(ns, 'missing'), undefined);
    const regarding = (await cluster.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name: 'cm' }))!;
    await cluster.recordEvent({ regarding, type: 'Warning', reason: 'TestReason', message: 'x'.repeat(5000), action: 'Test' }, 'ces-operator', 'test');
    const events = await cluster.list('events.k8s.io/v1', 'Event', { namespace: ns });
    const event = events.find((e) => e.reason === 'TestReason');
    assert.equal((event?.regarding as { name: string }).name, 'cm');
    assert.ok(String(event?.note).length <= 1024, 'long messages are cut to the API limit');
  });

  it('notices a kind that stops being served (its CRD deleted) instead of failing forever on a stale discovery entry', async () => {
    const group = `${uniqueName('e2e').replace(/[^a-z0-9-]/g, '')}.ces.test`;
    const crd: KubeObject = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: `widgets.${group}` },
      spec: {
        group,
        scope: 'Namespaced',
        names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
      },
    };
    await cluster.create(crd);
    try {
      await waitFor('Widget served', () => cluster.served(`${group}/v1`, 'Widget'));
      await waitFor('Widget created', () => cluster.create({ apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name: 'w', namespace: ns } }));
    } finally {
      await cluster.delete({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name: crd.metadata.name });
    }
    await waitFor('Widget no longer served', async () => {
      await cluster.list(`${group}/v1`, 'Widget', { namespace: ns }).catch(() => undefined);
      return !(await cluster.served(`${group}/v1`, 'Widget'));
    });
  });
});
