/**
 * Every object CES ships is accepted by a real kube-apiserver: the Helm chart rendered by a real
 * `helm template` with default and non-default values, the gateway fleet the operator renders,
 * the example CesStreams, and what the operator renders for them. Server-side dry run (nothing but namespaces and the shared CRD is
 * persisted); each run uses its own namespaces and deletes them.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { needs, repoRoot, uniqueName } from '../support/infra.ts';
import { renderGatewayFleet } from '@ces/cdk8s/gateway-fleet';
import { render } from '@ces/operator/controllers/cesstream/render';
import type { CesStream } from '@ces/contracts/crd/v1alpha1';
import { Cluster, helm, namespaceObject, parseManifests } from './manifests-kube.ts';
import type { Manifest } from './manifests-kube.ts';

const kube = needs('kube');
const helmBin = needs('helm');
const chartDir = path.join(repoRoot, 'charts/ces-operator');

type Deployment = Manifest & { spec: { replicas?: number; template: { spec: { containers: { image: string; env: { name: string; value?: string }[]; resources: unknown }[] } } } };

function byKind(objects: Manifest[], kind: string): Manifest[] {
  return objects.filter((o) => o.kind === kind);
}

describe('manifests are accepted by the real API server', { skip: kube.skip || helmBin.skip }, () => {
  const ns = uniqueName('ces-chart');
  const watched = [uniqueName('ces-watch'), uniqueName('ces-watch')];
  const monitoringNs = uniqueName('ces-mon');
  let cluster: Cluster;
  const bin = () => helmBin.value!.bin;
  const template = async (...args: string[]) =>
    parseManifests(await helm(bin(), ['template', 'ces-operator', chartDir, '--namespace', ns, '--include-crds', ...args]));

  before(async () => {
    cluster = new Cluster(kube.value!);
    for (const name of [ns, ...watched, monitoringNs]) await cluster.apply(namespaceObject(name));
    // The CRD is cluster-wide and shared with the operator's tests: applied (idempotent), never deleted.
    for (const crd of byKind(await template(), 'CustomResourceDefinition')) await cluster.apply(crd);
  });
  after(async () => {
    for (const name of [ns, ...watched, monitoringNs]) await cluster?.delete(namespaceObject(name));
  });

  it('helm lint passes with default and with non-default values', async () => {
    await helm(bin(), ['lint', chartDir]);
    await helm(bin(), ['lint', chartDir, '--set', `watchNamespaces={${watched.join(',')}}`, '--set', 'serviceMonitor.enabled=true', '--set', 'replicas=2']);
  });

  it('default values: cluster-wide operator with CRD, RBAC, Deployment and metrics Service, all accepted', async () => {
    const objects = await template();
    const kinds = new Set(objects.map((o) => o.kind));
    for (const kind of ['CustomResourceDefinition', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'Deployment', 'Service']) {
      assert.ok(kinds.has(kind), `chart renders no ${kind}`);
    }
    assert.equal(byKind(objects, 'ServiceMonitor').length, 0, 'ServiceMonitor is opt-in');
    const deployment = byKind(objects, 'Deployment')[0] as Deployment;
    assert.equal(deployment.metadata?.namespace, ns);
    assert.equal(deployment.spec.template.spec.containers[0]!.image, 'ghcr.io/ces/operator:0.1.0');
    // Grafana legends like {{pod}} went through Helm's template engine: they must come out verbatim.
    const dashboards = objects.find((o) => o.kind === 'ConfigMap' && o.metadata?.name === 'ces-operator-dashboards') as (Manifest & { data: Record<string, string> }) | undefined;
    assert.ok(dashboards, 'the operator dashboards ConfigMap is rendered by default');
    for (const [file, json] of Object.entries(dashboards.data)) {
      assert.deepEqual(JSON.parse(json), JSON.parse(readFileSync(path.join(repoRoot, 'dashboards/generated/dashboards', file), 'utf8')), file);
    }
    for (const obj of objects) await cluster.dryRun(obj);
  });

  it('non-default values: per-namespace RoleBindings, image, replicas, resources and log level reach the objects', async () => {
    const objects = await template(
      '--set', `watchNamespaces={${watched.join(',')}}`, '--set', `monitoringNamespace=${monitoringNs}`,
      '--set', 'image.repository=registry.example/ces-operator', '--set', 'image.tag=1.2.3',
      '--set', 'replicas=3', '--set', 'logLevel=debug',
      '--set', 'resources.requests.cpu=300m', '--set', 'resources.limits.memory=1Gi',
      '--set', 'serviceMonitor.enabled=true', '--set', 'serviceMonitor.interval=15s',
    );
    assert.equal(byKind(objects, 'ClusterRoleBinding').length, 0, 'a namespaced install must not bind cluster-wide');
    const bindings = byKind(objects, 'RoleBinding').map((b) => b.metadata?.namespace).sort();
    assert.deepEqual(bindings, [ns, ...watched, monitoringNs].sort(), 'one RoleBinding per watched namespace, the monitoring namespace and leader election');
    const deployment = byKind(objects, 'Deployment')[0] as Deployment;
    const container = deployment.spec.template.spec.containers[0]!;
    assert.equal(container.image, 'registry.example/ces-operator:1.2.3');
    assert.equal(deployment.spec.replicas, 3);
    assert.equal(container.env.find((e) => e.name === 'CES_WATCH_NAMESPACES')?.value, watched.join(','));
    assert.equal(container.env.find((e) => e.name === 'CES_LOG_LEVEL')?.value, 'debug');
    assert.equal(container.env.find((e) => e.name === 'CES_MONITORING_NAMESPACE')?.value, monitoringNs);
    assert.deepEqual(container.resources, { requests: { cpu: '300m', memory: '128Mi' }, limits: { memory: '1Gi' } });
    const monitors = byKind(objects, 'ServiceMonitor');
    assert.equal(monitors.length, 1);
    assert.equal((monitors[0] as unknown as { spec: { endpoints: { interval: string }[] } }).spec.endpoints[0]!.interval, '15s');
    // prometheus-operator's CRD is not part of the test cluster; its object is checked when served.
    const serviceMonitorServed = await cluster.serves('monitoring.coreos.com/v1', 'ServiceMonitor');
    for (const obj of objects) if (obj.kind !== 'ServiceMonitor' || serviceMonitorServed) await cluster.dryRun(obj);
  });

  it('a watched monitoring namespace is bound once; without watch namespaces only the ClusterRoleBinding', async () => {
    const once = await template('--set', `watchNamespaces={${watched.join(',')}}`, '--set', `monitoringNamespace=${watched[0]}`);
    assert.deepEqual(byKind(once, 'RoleBinding').map((b) => b.metadata?.namespace).sort(), [ns, ...watched].sort());
    const clusterWide = await template('--set', `monitoringNamespace=${monitoringNs}`);
    assert.equal(byKind(clusterWide, 'ClusterRoleBinding').length, 1);
    assert.deepEqual(byKind(clusterWide, 'RoleBinding').map((b) => b.metadata?.namespace), [ns], 'only the leader-election binding');
    const deployment = byKind(once, 'Deployment')[0] as Deployment;
    assert.equal(deployment.spec.template.spec.containers[0]!.env.find((e) => e.name === 'CES_MONITORING_NAMESPACE')?.value, watched[0]);
  });

  it('values.schema.json refuses hostile and malformed values before anything is rendered', async () => {
    for (const bad of ['logLevel=loud', 'replicas=-1', 'watchNamespaces={Not_A_Namespace}', 'monitoringNamespace=Not_A_Namespace', 'image.pullPolicy=Sometimes', 'unknownKey=1']) {
      await assert.rejects(template('--set', bad), /values don't meet the specifications|schema/i, bad);
    }
  });

  it('a fully featured gateway fleet (HPA, ingress with TLS, secrets) is accepted', async () => {
    const objects = renderGatewayFleet({
      name: 'orders-gateway',
      namespace: ns,
      image: 'ghcr.io/ces/gateway:0.1.0',
      config: { kafka: { brokers: ['kafka:9092'] } },
      env: { CES_LOG_LEVEL: 'info' },
      secretEnv: [{ name: 'CES_API_TOKEN', secretName: 'orders-auth', key: 'token' }],
      envFromSecrets: ['orders-kafka'],
      autoscaling: { minReplicas: 2, maxReplicas: 12, connectionsPerPod: 4000 },
      ingress: { host: 'events.example.com', className: 'nginx', tlsSecretName: 'events-tls' },
      metricsPort: 9464,
      labels: { 'app.kubernetes.io/managed-by': 'ces-operator' },
    }) as Manifest[];
    assert.deepEqual(objects.map((o) => o.kind), ['ConfigMap', 'Deployment', 'Service', 'PodDisruptionBudget', 'HorizontalPodAutoscaler', 'Ingress']);
    for (const obj of objects) {
      const stored = await cluster.dryRun(obj);
      if (obj.kind === 'Deployment') {
        // The server applies no replicas default over an absent field in an apply patch only if the
        // HPA is to own it; what matters is that our patch does not carry one.
        assert.equal('replicas' in (obj as Deployment).spec, false);
        assert.ok(stored.metadata?.name);
      }
    }
  });

  it('the example CesStreams pass the CRD schema and its CEL rules, and everything the operator renders for them is accepted', async () => {
    const options = {
      monitoringNamespace: ns,
      datasourceUid: 'prometheus',
      prometheusRule: await cluster.serves('monitoring.coreos.com/v1', 'PrometheusRule'),
      grafanaAlertRuleGroup: await cluster.serves('grafana.integreatly.org/v1beta1', 'GrafanaAlertRuleGroup'),
    };
    for (const file of ['cesstream-minimal.yaml', 'cesstream-production.yaml']) {
      for (const obj of parseManifests(readFileSync(path.join(repoRoot, 'examples', file), 'utf8'))) {
        // The dry run returns the object as stored: CRD defaults applied, a uid assigned.
        const stored = (await cluster.dryRun({ ...obj, metadata: { ...obj.metadata, namespace: ns } })) as unknown as CesStream;
        const monitoring = stored.spec.monitoring ? { ...stored.spec.monitoring, namespace: ns } : undefined;
        const cr = { ...stored, spec: { ...stored.spec, ...(monitoring ? { monitoring } : {}) } } as CesStream;
        const rendered = render(cr, options) as unknown as Manifest[];
        const kinds = new Set(rendered.map((o) => o.kind));
        assert.ok(kinds.has('Deployment'), `${file}: the operator renders a Deployment`);
        if (file === 'cesstream-production.yaml') {
          for (const kind of ['HorizontalPodAutoscaler', 'Ingress', 'PodDisruptionBudget', 'ConfigMap']) assert.ok(kinds.has(kind), `${file}: renders ${kind}`);
        }
        for (const child of rendered) await cluster.dryRun(child);
      }
    }
  });
});
