/**
 * Proves the test control plane is a real Kubernetes API server: CRD establishment, custom
 * objects, watches, server-side apply field ownership, structural-schema and CEL validation, and
 * token authentication + RBAC. Every run uses its own CRD group and namespace and removes them.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ApiException,
  ApiextensionsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  RbacAuthorizationV1Api,
  Watch,
  type KubernetesObject,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { needs, uniqueName } from '../support/infra.ts';
import { waitUntil } from './kube-test-support.ts';

const kube = needs('kube');

interface Widget extends KubernetesObject {
  spec?: { size?: number; color?: string; owner?: string };
}

/** A kubeconfig for `token` (the admin's unless given) against the test apiserver. */
function kubeConfig(token?: string): KubeConfig {
  const kc = new KubeConfig();
  if (!token) {
    kc.loadFromFile(kube.value!.kubeconfigPath);
    return kc;
  }
  kc.loadFromOptions({
    clusters: [{ name: 'test', server: kube.value!.server, caFile: kube.value!.caFile }],
    users: [{ name: 'user', token }],
    contexts: [{ name: 'test', cluster: 'test', user: 'user' }],
    currentContext: 'test',
  });
  return kc;
}

function statusOf(err: unknown): number | undefined {
  return err instanceof ApiException ? err.code : undefined;
}

describe('kube-apiserver + etcd (real)', { skip: kube.skip, timeout: 60_000 }, () => {
  const group = `${uniqueName('t')}.ces.example.com`;
  const plural = 'widgets';
  const version = 'v1';
  const crdName = `${plural}.${group}`;
  const namespace = uniqueName('kube-int');
  const kc = kubeConfig();
  const crds = kc.makeApiClient(ApiextensionsV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const objects = KubernetesObjectApi.makeApiClient(kc);
  const apiVersion = `${group}/${version}`;

  before(async () => {
    await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
    await crds.createCustomResourceDefinition({ body: widgetCrd(group, plural, version) });
    await waitUntil('CRD Established', async () => {
      const crd = await crds.readCustomResourceDefinition({ name: crdName });
      return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ?? false;
    });
  });

  after(async () => {
    // Without a controller-manager the namespace stays Terminating; it holds nothing after this.
    await crds.deleteCustomResourceDefinition({ name: crdName }).catch(() => undefined);
    await kc.makeApiClient(CoreV1Api).deleteNamespace({ name: namespace }).catch(() => undefined);
  });

  it('creates a custom object and a watch sees it ADDED', async () => {
    const name = uniqueName('watched');
    const seen: { phase: string; name: string }[] = [];
    const ended: unknown[] = [];
    const watch = await openWatch(kc, `/apis/${group}/${version}/namespaces/${namespace}/${plural}`, (phase, obj) => seen.push({ phase, name: obj.metadata?.name ?? '' }), ended);
    try {
      await custom.createNamespacedCustomObject({ group, version, namespace, plural, body: { apiVersion, kind: 'Widget', metadata: { name }, spec: { size: 1 } } });
      await waitUntil('ADDED event', async () => {
        if (ended.length > 0) throw new Error(`watch ended before the ADDED event: ${String(ended[0])}`);
        return seen.some((e) => e.phase === 'ADDED' && e.name === name);
      });
      const stored = (await custom.getNamespacedCustomObject({ group, version, namespace, plural, name })) as Widget;
      assert.equal(stored.spec?.size, 1);
    } finally {
      watch.abort();
    }
  });

  it('server-side apply records field managers; another manager\'s field survives a re-apply', async () => {
    const name = uniqueName('applied');
    const apply = async (manager: string, spec: Widget['spec'], force = false): Promise<Widget> =>
      await objects.patch<Widget>({ apiVersion, kind: 'Widget', metadata: { name, namespace }, spec }, undefined, undefined, manager, force, PatchStrategy.ServerSideApply);

    await apply('manager-a', { size: 2, color: 'red' });
    await apply('manager-b', { owner: 'team-b' });
    const reapplied = await apply('manager-a', { size: 3 }); // manager-a no longer claims `color`

    assert.deepEqual(reapplied.spec, { size: 3, owner: 'team-b' });
    const managers = (reapplied.metadata?.managedFields ?? []).filter((m) => m.operation === 'Apply').map((m) => m.manager).sort();
    assert.deepEqual(managers, ['manager-a', 'manager-b']);

    await assert.rejects(apply('manager-b', { owner: 'team-b', size: 5 }), (err) => statusOf(err) === 409, 'conflict on a field manager-a owns');
    const forced = await apply('manager-b', { owner: 'team-b', size: 5 }, true);
    assert.equal(forced.spec?.size, 5);
  });

  it('rejects objects that break the structural schema or a CEL rule, with the rule\'s message', async () => {
    const create = async (spec: unknown): Promise<unknown> =>
      await custom.createNamespacedCustomObject({ group, version, namespace, plural, body: { apiVersion, kind: 'Widget', metadata: { name: uniqueName('bad') }, spec } });
    await assert.rejects(create({ size: 'large' }), (err) => statusOf(err) === 422);
    await assert.rejects(create({ size: 11 }), (err) => statusOf(err) === 422 && String((err as ApiException<string>).body).includes('size must be at most 10'));
    const list = (await custom.listNamespacedCustomObject({ group, version, namespace, plural })) as { items: Widget[] };
    assert.equal(list.items.filter((w) => w.metadata?.name?.startsWith('bad-')).length, 0);
  });

  it('refuses an oversized object and stores nothing', async () => {
    const name = uniqueName('huge');
    // 4 MiB: above the apiserver's 3 MiB request-body limit for writes.
    const body = { apiVersion, kind: 'Widget', metadata: { name }, spec: { color: 'x'.repeat(4 * 1024 * 1024) } };
    await assert.rejects(custom.createNamespacedCustomObject({ group, version, namespace, plural, body }), (err) => statusOf(err) === 413);
    await assert.rejects(custom.getNamespacedCustomObject({ group, version, namespace, plural, name }), (err) => statusOf(err) === 404);
  });

  it('authenticates tokens and enforces RBAC: a test user is forbidden, a bad token unauthorized', async () => {
    const operatorToken = kube.value!.users['ces-operator'];
    assert.ok(operatorToken, 'infra provisions the ces-operator user');
    const asOperator = kubeConfig(operatorToken).makeApiClient(CustomObjectsApi);
    await assert.rejects(asOperator.listNamespacedCustomObject({ group, version, namespace, plural }), (err) => statusOf(err) === 403);
    const stranger = kubeConfig('not-a-valid-token').makeApiClient(CustomObjectsApi);
    await assert.rejects(stranger.listNamespacedCustomObject({ group, version, namespace, plural }), (err) => statusOf(err) === 401);
  });

  it('an RBAC grant takes effect for exactly the user and verbs it names', async () => {
    const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
    const role = uniqueName('widget-reader');
    await rbac.createNamespacedRole({ namespace, body: { metadata: { name: role }, rules: [{ apiGroups: [group], resources: [plural], verbs: ['get', 'list'] }] } });
    await rbac.createNamespacedRoleBinding({
      namespace,
      body: {
        metadata: { name: role },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'ces-viewer' }],
      },
    });
    const asViewer = kubeConfig(kube.value!.users['ces-viewer']).makeApiClient(CustomObjectsApi);
    // The authorizer reads roles through its own watch, so the grant becomes visible within moments.
    await waitUntil('the grant to apply', async () => Array.isArray(((await asViewer.listNamespacedCustomObject({ group, version, namespace, plural })) as { items: unknown }).items));
    const body = { apiVersion, kind: 'Widget', metadata: { name: uniqueName('denied') }, spec: { size: 1 } };
    await assert.rejects(asViewer.createNamespacedCustomObject({ group, version, namespace, plural, body }), (err) => statusOf(err) === 403);
    const asOperator = kubeConfig(kube.value!.users['ces-operator']).makeApiClient(CustomObjectsApi);
    await assert.rejects(asOperator.listNamespacedCustomObject({ group, version, namespace, plural }), (err) => statusOf(err) === 403);
  });
});

/**
 * Opens a watch, retrying while the apiserver answers 429: right after a CRD becomes Established
 * its watch cache is still initializing and watches are refused with "Too Many Requests" for a
 * moment (an operator's informer must retry the same way). Later endings are recorded in `ended`.
 */
async function openWatch(kc: KubeConfig, path: string, onEvent: (phase: string, obj: Widget) => void, ended: unknown[]): Promise<AbortController> {
  for (let attempt = 1; ; attempt++) {
    const early: unknown[] = [];
    let opened = false;
    const controller = await new Watch(kc).watch(path, {}, onEvent, (err: unknown) => (opened ? ended : early).push(err));
    opened = true;
    const status = (early[0] as { statusCode?: number } | undefined)?.statusCode;
    if (early.length === 0) return controller;
    if (status !== 429 || attempt >= 50) throw new Error(`watch ${path} refused: ${String(early[0])}`);
    await sleep(200);
  }
}

function widgetCrd(group: string, plural: string, version: string): V1CustomResourceDefinition {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${group}` },
    spec: {
      group,
      scope: 'Namespaced',
      names: { plural, singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
      versions: [
        {
          name: version,
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: {
                  type: 'object',
                  properties: { size: { type: 'integer' }, color: { type: 'string' }, owner: { type: 'string' } },
                  // client-node's typed models spell it x_kubernetes_validations; the serializer sends x-kubernetes-validations
                  x_kubernetes_validations: [{ rule: '!has(self.size) || self.size <= 10', message: 'size must be at most 10' }],
                },
              },
            },
          },
        },
      ],
    },
  };
}
