import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CONFIG_HASH_ANNOTATION, renderGatewayFleet } from './gateway-fleet.ts';
import type { GatewayFleetProps } from './gateway-fleet.ts';

const base: GatewayFleetProps = {
  name: 'orders-gateway',
  namespace: 'shop',
  image: 'ghcr.io/ces/gateway:0.1.0',
  config: { kafka: { brokers: ['kafka:9092'], topics: ['orders'] }, http: { port: 8080 } },
};

type Obj = { kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: any; data?: any }; // eslint-disable-line @typescript-eslint/no-explicit-any

function render(props: Partial<GatewayFleetProps> = {}): Obj[] {
  return renderGatewayFleet({ ...base, ...props }) as Obj[];
}
function find(objects: Obj[], kind: string): Obj {
  const found = objects.find((o) => o.kind === kind);
  assert.ok(found, `no ${kind} rendered`);
  return found;
}
function podSpec(objects: Obj[]) {
  return find(objects, 'Deployment').spec.template.spec;
}

describe('renderGatewayFleet', () => {
  it('renders ConfigMap, Deployment, Service and PDB by default, in the shop namespace', () => {
    const objects = render();
    assert.deepEqual(objects.map((o) => o.kind), ['ConfigMap', 'Deployment', 'Service', 'PodDisruptionBudget']);
    for (const o of objects) assert.equal(o.metadata.namespace, 'shop');
    assert.equal(find(objects, 'ConfigMap').metadata.name, 'orders-gateway-config');
  });

  it('writes the config as YAML that the gateway reads with --config', () => {
    const objects = render();
    assert.match(find(objects, 'ConfigMap').data['config.yaml'], /brokers:\n\s+- kafka:9092/);
    const container = podSpec(objects).containers[0];
    assert.deepEqual(container.args, ['--config', '/etc/ces/config.yaml']);
    assert.deepEqual(container.volumeMounts.find((m: { name: string }) => m.name === 'config'), { name: 'config', mountPath: '/etc/ces', readOnly: true });
  });

  it('probes /healthz for liveness and /readyz for readiness on the http port', () => {
    const container = podSpec(render()).containers[0];
    assert.deepEqual(container.livenessProbe.httpGet, { path: '/healthz', port: 'http' });
    assert.deepEqual(container.readinessProbe.httpGet, { path: '/readyz', port: 'http' });
  });

  it('runs non-root with a read-only root filesystem, no capabilities and a writable /tmp', () => {
    const spec = podSpec(render());
    const container = spec.containers[0];
    assert.equal(spec.securityContext.runAsNonRoot, true);
    assert.equal(spec.automountServiceAccountToken, false);
    assert.deepEqual(container.securityContext, {
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    assert.ok(spec.volumes.some((v: { name: string; emptyDir?: object }) => v.name === 'tmp' && v.emptyDir));
    assert.ok(container.volumeMounts.some((m: { mountPath: string }) => m.mountPath === '/tmp'));
  });

  it('gives pods the drain grace plus a margin to terminate', () => {
    assert.equal(podSpec(render()).terminationGracePeriodSeconds, 40);
    assert.equal(podSpec(render({ drainGraceSeconds: 5, terminationMarginSeconds: 3 })).terminationGracePeriodSeconds, 8);
  });

  it('spreads pods across nodes', () => {
    const term = podSpec(render()).affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm;
    assert.equal(term.topologyKey, 'kubernetes.io/hostname');
    assert.deepEqual(term.labelSelector.matchLabels, find(render(), 'Deployment').spec.selector.matchLabels);
  });

  it('sets fixed replicas without autoscaling and omits them (leaving them to the HPA) with it', () => {
    assert.equal(find(render({ replicas: 3 }), 'Deployment').spec.replicas, 3);
    const scaled = render({ replicas: 3, autoscaling: { minReplicas: 2, maxReplicas: 10 } });
    assert.equal('replicas' in find(scaled, 'Deployment').spec, false);
    const hpa = find(scaled, 'HorizontalPodAutoscaler');
    assert.equal(hpa.spec.minReplicas, 2);
    assert.equal(hpa.spec.maxReplicas, 10);
    assert.deepEqual(hpa.spec.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: 'orders-gateway' });
  });

  it('scales on CPU and on connections per pod', () => {
    const hpa = find(render({ autoscaling: { maxReplicas: 5, cpuTargetPercent: 60, connectionsPerPod: 2500 } }), 'HorizontalPodAutoscaler');
    assert.deepEqual(hpa.spec.metrics, [
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } },
      { type: 'Pods', pods: { metric: { name: 'ces_gateway_connections' }, target: { type: 'AverageValue', averageValue: 2500 } } },
    ]);
  });

  it('changes the pod-template hash annotation when, and only when, the config changes', () => {
    const hash = (config: Record<string, unknown>) =>
      find(render({ config }), 'Deployment').spec.template.metadata.annotations[CONFIG_HASH_ANNOTATION];
    const a = hash({ a: 1, b: { c: 2 } });
    assert.match(a, /^[0-9a-f]{16}$/);
    assert.equal(hash({ b: { c: 2 }, a: 1 }), a, 'key order must not matter');
    assert.notEqual(hash({ a: 1, b: { c: 3 } }), a);
  });

  it('takes secrets from Secret refs, never from the ConfigMap', () => {
    const objects = render({
      env: { CES_LOG_LEVEL: 'debug' },
      secretEnv: [{ name: 'CES_AUTH_API_TOKEN', secretName: 'orders-secrets', key: 'apiToken' }],
      envFromSecrets: ['orders-kafka'],
    });
    const container = podSpec(objects).containers[0];
    assert.deepEqual(container.env, [
      { name: 'CES_LOG_LEVEL', value: 'debug' },
      { name: 'CES_AUTH_API_TOKEN', valueFrom: { secretKeyRef: { name: 'orders-secrets', key: 'apiToken', optional: false } } },
    ]);
    assert.deepEqual(container.envFrom, [{ secretRef: { name: 'orders-kafka' } }]);
  });

  it('exposes http and metrics on the Service, with a separate metrics container port when configured', () => {
    const same = find(render(), 'Service').spec.ports;
    assert.deepEqual(same.map((p: { name: string; targetPort: number }) => [p.name, p.targetPort]), [['http', 8080], ['metrics', 8080]]);
    const split = render({ httpPort: 3000, metricsPort: 9464 });
    assert.deepEqual(find(split, 'Service').spec.ports.map((p: { targetPort: number }) => p.targetPort), [3000, 9464]);
    assert.deepEqual(podSpec(split).containers[0].ports.map((p: { name: string }) => p.name), ['http', 'metrics']);
  });

  it('renders a WebSocket-friendly TLS ingress', () => {
    const ingress = find(render({ ingress: { host: 'events.example.com', className: 'nginx', tlsSecretName: 'events-tls', timeoutSeconds: 900 } }), 'Ingress');
    assert.equal(ingress.metadata.annotations?.['nginx.ingress.kubernetes.io/proxy-read-timeout'], '900');
    assert.equal(ingress.metadata.annotations?.['nginx.ingress.kubernetes.io/proxy-send-timeout'], '900');
    assert.equal(ingress.spec.ingressClassName, 'nginx');
    assert.deepEqual(ingress.spec.tls, [{ hosts: ['events.example.com'], secretName: 'events-tls' }]);
    assert.equal(ingress.spec.rules[0].http.paths[0].backend.service.name, 'orders-gateway');
  });

  it('carries caller labels on every object without letting them change the selector', () => {
    const objects = render({ labels: { 'app.kubernetes.io/managed-by': 'ces-operator', 'app.kubernetes.io/instance': 'hijack' } });
    for (const o of objects) assert.equal(o.metadata.labels?.['app.kubernetes.io/managed-by'], 'ces-operator');
    assert.deepEqual(find(objects, 'Deployment').spec.selector.matchLabels, { 'app.kubernetes.io/name': 'ces-gateway', 'app.kubernetes.io/instance': 'orders-gateway' });
  });

  it('rejects props no cluster would accept', () => {
    assert.throws(() => render({ name: 'Bad_Name' }), RangeError);
    assert.throws(() => render({ name: 'x'.repeat(60) }), RangeError);
    assert.throws(() => render({ autoscaling: { minReplicas: 5, maxReplicas: 2 } }), RangeError);
    assert.throws(() => render({ replicas: -1 }), RangeError);
  });

  it('is deterministic', () => {
    assert.deepEqual(render({ autoscaling: { maxReplicas: 4 }, ingress: { host: 'a.example' } }), render({ autoscaling: { maxReplicas: 4 }, ingress: { host: 'a.example' } }));
  });
});
