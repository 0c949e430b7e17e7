/**
 * The operator runs with only the RBAC the chart grants: the rules of operator/rbac.ts bound to a
 * test user's token (a namespace-scoped install: RoleBindings to the operator ClusterRole in the
 * watched and monitoring namespaces, plus the leader-election Role). It must reach Ready, record
 * Events, and be refused what the rules do not grant.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { uniqueName } from '../support/infra.ts';
import { KubeApiError } from '../../operator/src/runtime/cluster.ts';
import { leaderElectionRules, operatorRules } from '../../operator/rbac.ts';
import {
  cesStream,
  clusterFor,
  createNamespace,
  deleteNamespaces,
  cleanupAfterSuite,
  deleteTopic,
  forceDeleteStream,
  installCrd,
  kube,
  markDeploymentReady,
  skip,
  startTestOperator,
  streamSpec,
  waitFor,
  waitForCondition,
} from './operator-harness.ts';

const USER = 'ces-operator';
const admin = () => clusterFor();

describe('operator with only the chart RBAC (real kube-apiserver, real Kafka)', { skip: skip || (kube.value && !kube.value.users[USER] ? `no "${USER}" token in the kube infra` : false) }, () => {
  const cleanup = cleanupAfterSuite();
  before(async () => installCrd(admin()));

  it('reconciles a CesStream to Ready, records Events, and is refused anything else', async () => {
    const cluster = admin();
    const ns = await createNamespace(cluster, 'e2e-rbac');
    const mon = await createNamespace(cluster, 'e2e-rbac-mon');
    const role = uniqueName('ces-operator-e2e');
    const prefix = uniqueName('e2e-rbac');
    cleanup(
      () => deleteNamespaces(cluster, [ns, mon]),
      () => cluster.delete({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', name: role }),
      () => deleteTopic(`${prefix}-orders`),
      () => forceDeleteStream(cluster, ns, 'shop'),
    );
    const subjects = [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: USER }];
    await cluster.create({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: role }, rules: operatorRules.map((r) => ({ ...r })) });
    for (const namespace of [ns, mon]) {
      await cluster.create({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: role, namespace },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
        subjects,
      });
    }
    await cluster.create({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'leader-election', namespace: ns }, rules: leaderElectionRules.map((r) => ({ ...r })) });
    await cluster.create({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'leader-election', namespace: ns },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'leader-election' },
      subjects,
    });

    const token = kube.value!.users[USER]!;
    const asOperator = clusterFor(token);
    // RBAC takes effect through the authorizer's informers: wait until the binding is visible.
    await waitFor('RBAC for the operator user', async () => Array.isArray(await asOperator.list('ces.io/v1alpha1', 'CesStream', { namespace: ns })));
    const operator = await startTestOperator({ namespace: ns, monitoringNamespace: mon, token });
    cleanup(() => operator.stop());

    await cluster.create(cesStream(ns, 'shop', streamSpec(prefix)));
    await waitForCondition(cluster, ns, 'shop', 'TopicsReady', 'True');
    await markDeploymentReady(cluster, ns, 'shop-gateway');
    await waitForCondition(cluster, ns, 'shop', 'Ready', 'True', 'Reconciled');
    await waitFor('Events written by the operator', async () => {
      const events = await cluster.list('events.k8s.io/v1', 'Event', { namespace: ns });
      return events.some((e) => e.reportingController === 'ces-operator' && e.reason === 'Reconciled');
    });
    const grafana = await cluster.list('v1', 'ConfigMap', { namespace: mon, labelSelector: 'ces.io/stream-name=shop' });
    assert.equal(grafana.length, 2);

    const forbidden = (err: unknown) => err instanceof KubeApiError && err.statusCode === 403;
    await assert.rejects(asOperator.list('v1', 'Secret', { namespace: ns }), forbidden, 'listing Secrets is not granted');
    await assert.rejects(asOperator.list('v1', 'Pod', { namespace: ns }), forbidden, 'Pods are not granted');
    await assert.rejects(asOperator.list('apps/v1', 'Deployment', { namespace: 'default' }), forbidden, 'nothing outside the bound namespaces');
  });
});
