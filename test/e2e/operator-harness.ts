/**
 * Shared harness of the operator e2e suites (test/e2e/operator*.test.ts): a real kube-apiserver +
 * etcd and real Kafka from test/infra, the operator running in-process with fast timings, one
 * namespace per test. There is no controller-manager in the test control plane, so: Deployments
 * never get pods (tests play kubelet by patching Deployment status), and garbage collection never
 * runs (owned children outlive a deleted CesStream; cross-namespace cleanup is the finalizer's job
 * and is what the deletion test checks).
 */
import { readFileSync } from 'node:fs';
import { after } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { KubeConfig } from '@kubernetes/client-node';
import pino from 'pino';
import { parse } from 'yaml';
import { needs, uniqueName } from '../support/infra.ts';
import { KubeCluster } from '../../operator/src/runtime/kube.ts';
import type { KubeObject } from '../../operator/src/runtime/cluster.ts';
import { loadConfig } from '../../operator/src/config.ts';
import { startOperator } from '../../operator/src/operator.ts';
import type { RunningOperator } from '../../operator/src/operator.ts';
import { kafkaTopicAdminFactory } from '../../operator/src/adapters/kafka-topic-admin.ts';
import type { TopicAdmin } from '../../operator/src/ports/topic-admin.ts';
import { CrdFile } from '../../operator/src/crd/crd-yaml.ts';
import type { CesStream, CesStreamSpec, Condition } from '../../contracts/src/crd/v1alpha1.ts';

export const kube = needs('kube');
export const kafka = needs('kafka');
export const skip = kube.skip || kafka.skip;

/** A Cluster client authenticated with `token` (the admin's by default). */
export function clusterFor(token?: string): KubeCluster {
  const k = kube.value!;
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'test', server: k.server, ...(k.caFile ? { caFile: k.caFile } : { skipTLSVerify: true }) }],
    users: [{ name: 'user', token: token ?? k.token }],
    contexts: [{ name: 'test', cluster: 'test', user: 'user' }],
    currentContext: 'test',
  });
  return new KubeCluster(kc);
}

/**
 * Polls until `check` returns a truthy value; errors count as "not yet". The generous timeout is
 * for a loaded CI machine (a pass normally converges in well under a second); it is not a
 * performance assertion.
 */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 45_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      last = err;
    }
    await sleep(100);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`, { cause: last });
}

/** Installs (server-side applies) the checked-in CRD and waits until it is Established and served. */
export async function installCrd(admin: KubeCluster): Promise<void> {
  const crd = parse(readFileSync(CrdFile, 'utf8')) as KubeObject;
  await admin.apply(crd, 'ces-e2e');
  await waitFor('CesStream CRD established', async () => {
    const got = await admin.get({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name: crd.metadata.name });
    const conditions = ((got?.status ?? {}) as { conditions?: { type: string; status: string }[] }).conditions ?? [];
    return conditions.some((c) => c.type === 'Established' && c.status === 'True') && (await admin.served('ces.io/v1alpha1', 'CesStream'));
  });
}

export async function createNamespace(admin: KubeCluster, prefix: string): Promise<string> {
  const name = uniqueName(prefix).slice(0, 63);
  await admin.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  return name;
}

/** Namespaces stay Terminating without a namespace controller; deleting still frees the names' objects from listings by label. */
export async function deleteNamespaces(admin: KubeCluster, names: readonly string[]): Promise<void> {
  for (const name of names) await admin.delete({ apiVersion: 'v1', kind: 'Namespace', name }).catch(() => undefined);
}

export interface TestOperatorOptions {
  readonly namespace: string;
  readonly monitoringNamespace: string;
  readonly token?: string;
  readonly identity?: string;
  readonly leaseName?: string;
  readonly leaderElection?: boolean;
}

/** The operator in-process, watching one namespace, with short resync/backoff/lease timings. */
export async function startTestOperator(options: TestOperatorOptions): Promise<RunningOperator> {
  const config = loadConfig({
    env: {},
    overrides: {
      host: '127.0.0.1',
      port: 0,
      watchNamespaces: [options.namespace],
      podNamespace: options.namespace,
      podName: options.identity ?? uniqueName('operator'),
      monitoringNamespace: options.monitoringNamespace,
      resyncMs: 3_000,
      progressRequeueMs: 500,
      queue: { concurrency: 2, baseDelayMs: 50, maxDelayMs: 2_000, ratePerSecond: 50, burst: 100 },
      informer: { restartBaseMs: 100, restartMaxMs: 2_000 },
      leaderElection: {
        enabled: options.leaderElection ?? true,
        leaseName: options.leaseName ?? 'ces-operator-leader',
        // Long enough that a leader on a loaded machine never loses the Lease by accident; a
        // stopping leader releases it, so handover in tests is still immediate.
        leaseDurationMs: 15_000,
        renewDeadlineMs: 10_000,
        retryPeriodMs: 250,
      },
      kafka: { connectionTimeoutMs: 500, requestTimeoutMs: 5_000, retries: 0 },
      shutdownTimeoutMs: 5_000,
    },
  });
  const log = pino({ level: process.env.CES_TEST_LOG_LEVEL ?? 'silent' });
  return startOperator(config, { cluster: clusterFor(options.token), adminFactory: kafkaTopicAdminFactory(config.kafka), log });
}

/** A CesStream for the real Kafka with unique topic names; one gateway, so Redis is optional. */
export function streamSpec(topicPrefix: string, patch: Partial<CesStreamSpec> = {}): CesStreamSpec {
  return {
    kafka: {
      bootstrapServers: kafka.value?.brokers ?? [],
      topicManagement: 'create',
      topics: [{ name: `${topicPrefix}-orders`, partitions: 2, config: { 'retention.ms': '3600000' } }],
    },
    gateway: { image: 'ghcr.io/ces/gateway:0.1.0', replicas: 1 },
    deletionPolicy: 'Delete',
    ...patch,
  } as CesStreamSpec;
}

export function cesStream(namespace: string, name: string, spec: CesStreamSpec): KubeObject {
  return { apiVersion: 'ces.io/v1alpha1', kind: 'CesStream', metadata: { name, namespace }, spec } as unknown as KubeObject;
}

export async function getStream(admin: KubeCluster, namespace: string, name: string): Promise<CesStream | undefined> {
  return (await admin.get({ apiVersion: 'ces.io/v1alpha1', kind: 'CesStream', namespace, name })) as unknown as CesStream | undefined;
}

export function condition(cr: CesStream | undefined, type: string): Condition | undefined {
  return cr?.status?.conditions?.find((c) => c.type === type);
}

/** Waits for a condition with this status (and reason, when given) computed from the current generation. */
export async function waitForCondition(admin: KubeCluster, namespace: string, name: string, type: string, status: string, reason?: string, timeoutMs = 45_000): Promise<CesStream> {
  return waitFor(`${type}=${status}${reason ? ` (${reason})` : ''} on ${namespace}/${name}`, async () => {
    const cr = await getStream(admin, namespace, name);
    const c = condition(cr, type);
    const fresh = c?.observedGeneration === cr?.metadata.generation;
    return fresh && c?.status === status && (reason === undefined || c?.reason === reason) ? cr : undefined;
  }, timeoutMs);
}

/** Plays kubelet + deployment controller: marks every replica of the Deployment ready. */
export async function markDeploymentReady(admin: KubeCluster, namespace: string, name: string): Promise<void> {
  const d = await waitFor(`Deployment ${namespace}/${name}`, () => admin.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace, name }));
  const replicas = ((d.spec ?? {}) as { replicas?: number }).replicas ?? 1;
  await admin.patchStatus(
    { apiVersion: 'apps/v1', kind: 'Deployment', namespace, name },
    { observedGeneration: d.metadata.generation, replicas, updatedReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas },
  );
}

/** Removes a stream's finalizer by hand so a test can always clean up, even if the operator is gone. */
export async function forceDeleteStream(admin: KubeCluster, namespace: string, name: string): Promise<void> {
  const ref = { apiVersion: 'ces.io/v1alpha1', kind: 'CesStream', namespace, name };
  await admin.delete(ref).catch(() => undefined);
  await admin.mergePatch(ref, { metadata: { finalizers: null } }).catch(() => undefined);
}

const topicAdmins = kafkaTopicAdminFactory({ connectionTimeoutMs: 1000, requestTimeoutMs: 5000, retries: 1 });

/** Runs `fn` with a topic admin on the real broker (short timeouts), closing it afterwards. */
export async function withTopicAdmin<T>(fn: (admin: TopicAdmin) => Promise<T>): Promise<T> {
  const a = await topicAdmins({ brokers: kafka.value!.brokers, ssl: false });
  try {
    return await fn(a);
  } finally {
    await a.close();
  }
}

/** What the real broker holds for `name`: its partition count, or undefined when it does not exist. */
export const topicPartitions = (name: string): Promise<number | undefined> =>
  withTopicAdmin(async (a) => (await a.describe([name])).get(name)?.partitions);

/** Deletes a topic a test created through the operator (test teardown). */
export const deleteTopic = (name: string): Promise<void> => withTopicAdmin((a) => a.delete([name]));

/**
 * Teardown steps for the enclosing suite: run in reverse order after it, each step's failure
 * ignored so one broken step never leaves the rest behind. Call inside a describe().
 */
export function cleanupAfterSuite(): (...steps: (() => Promise<unknown>)[]) => void {
  const steps: (() => Promise<unknown>)[] = [];
  after(async () => {
    for (const step of steps.reverse()) await step().catch(() => undefined);
  });
  return (...more) => void steps.push(...more);
}
