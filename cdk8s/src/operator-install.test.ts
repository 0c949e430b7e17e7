import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { App, Chart } from 'cdk8s';
import { OperatorInstall } from './operator-install.ts';
import type { OperatorInstallProps } from './operator-install.ts';

type Obj = { kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; [k: string]: any }; // eslint-disable-line @typescript-eslint/no-explicit-any

const crd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'cesstreams.ces.io' },
  spec: { versions: [{ name: 'v1alpha1', schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-validations': [{ rule: 'true' }] } } }] },
};

function render(props: Partial<OperatorInstallProps> = {}): Obj[] {
  const chart = new Chart(new App(), 'c', { disableResourceNameHashes: true });
  new OperatorInstall(chart, 'install', { namespace: 'ces-system', image: 'ghcr.io/ces/operator:1', rules: [{ apiGroups: ['ces.io'], resources: ['cesstreams'], verbs: ['get'] }], ...props });
  return chart.toJson() as Obj[];
}
const kinds = (objs: Obj[]) => objs.map((o) => o.kind);

describe('OperatorInstall', () => {
  it('installs the CRD verbatim, keeping x-kubernetes-* keys', () => {
    const out = render({ crd }).find((o) => o.kind === 'CustomResourceDefinition');
    assert.deepEqual(out, crd);
  });

  it('binds cluster-wide without watch namespaces, per namespace with them', () => {
    assert.ok(kinds(render()).includes('ClusterRoleBinding'));
    const scoped = render({ watchNamespaces: ['a', 'b'] });
    assert.equal(kinds(scoped).includes('ClusterRoleBinding'), false);
    const bindings = scoped.filter((o) => o.kind === 'RoleBinding' && o.roleRef.kind === 'ClusterRole');
    assert.deepEqual(bindings.map((b) => b.metadata.namespace), ['a', 'b']);
    for (const b of bindings) assert.deepEqual(b.subjects, [{ kind: 'ServiceAccount', name: 'ces-operator', namespace: 'ces-system' }]);
  });

  it('with watch namespaces also binds the monitoring namespace (Grafana ConfigMaps), once', () => {
    const nsOf = (objs: Obj[]) => objs.filter((o) => o.kind === 'RoleBinding' && o.roleRef.kind === 'ClusterRole').map((b) => b.metadata.namespace);
    assert.deepEqual(nsOf(render({ watchNamespaces: ['a', 'b'], monitoringNamespace: 'monitoring' })), ['a', 'b', 'monitoring']);
    assert.deepEqual(nsOf(render({ watchNamespaces: ['a', 'monitoring'], monitoringNamespace: 'monitoring' })), ['a', 'monitoring']);
    const clusterWide = render({ monitoringNamespace: 'monitoring' });
    assert.deepEqual(nsOf(clusterWide), [], 'the ClusterRoleBinding already covers it');
    const env = clusterWide.find((o) => o.kind === 'Deployment')!.spec.template.spec.containers[0].env;
    assert.equal(env.find((e: { name: string }) => e.name === 'CES_MONITORING_NAMESPACE').value, 'monitoring');
  });

  it('grants exactly the given rules, plus a namespaced Role for the leader Lease', () => {
    const objs = render();
    assert.deepEqual(objs.find((o) => o.kind === 'ClusterRole')!.rules, [{ apiGroups: ['ces.io'], resources: ['cesstreams'], verbs: ['get'] }]);
    const role = objs.find((o) => o.kind === 'Role')!;
    assert.equal(role.metadata.namespace, 'ces-system');
    assert.deepEqual(role.rules.map((r: { resources: string[] }) => r.resources), [['leases']]);
  });

  it('runs the operator non-root, read-only, without capabilities, with probes and the watch env', () => {
    const deployment = render({ watchNamespaces: ['a', 'b'], logLevel: 'debug' }).find((o) => o.kind === 'Deployment')!;
    const pod = deployment.spec.template.spec;
    const c = pod.containers[0];
    assert.equal(pod.serviceAccountName, 'ces-operator');
    assert.equal(pod.securityContext.runAsNonRoot, true);
    assert.deepEqual(c.securityContext, { runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    assert.equal(c.livenessProbe.httpGet.path, '/healthz');
    assert.equal(c.readinessProbe.httpGet.path, '/readyz');
    assert.equal(c.env.find((e: { name: string }) => e.name === 'CES_WATCH_NAMESPACES').value, 'a,b');
    assert.equal(c.env.find((e: { name: string }) => e.name === 'CES_LOG_LEVEL').value, 'debug');
    assert.deepEqual(c.env.find((e: { name: string }) => e.name === 'CES_POD_NAMESPACE').valueFrom, { fieldRef: { fieldPath: 'metadata.namespace' } });
  });

  it('adds the ServiceMonitor and dashboards only when asked', () => {
    assert.equal(kinds(render()).includes('ServiceMonitor'), false);
    const objs = render({ serviceMonitor: true, dashboards: { 'ces-operator.json': '{}' } });
    assert.equal(objs.find((o) => o.kind === 'ServiceMonitor')!.spec.endpoints[0].port, 'http');
    const cm = objs.find((o) => o.kind === 'ConfigMap')!;
    assert.equal(cm.metadata.labels?.grafana_dashboard, '1');
    assert.deepEqual(cm.data, { 'ces-operator.json': '{}' });
  });
});
