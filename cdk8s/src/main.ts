/**
 * The cdk8s app behind `charts/ces-operator` (run by `npm run -w @ces/cdk8s synth`, which calls
 * `cdk8s synth --format helm` and then `helmify.ts`). One Chart per template file: the optional
 * parts get their own files so the Helm post-step can wrap each in `if`/`range`.
 *
 * The values written here are the chart's defaults as seen by cdk8s; `helmify.ts` swaps the
 * fields users set (image, replicas, resources, watch namespaces, log level, namespace) for
 * `{{ .Values.* }}` expressions. Reads only checked-in files: no network.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Chart } from 'cdk8s';
import { parse } from 'yaml';
import {
  CesStreamCrd,
  OperatorBindings,
  OperatorClusterRole,
  OperatorDashboards,
  OperatorDeployment,
  OperatorLeaderElectionRbac,
  OperatorServiceAccount,
  OperatorServiceMonitor,
} from './operator-install.ts';
import type { PolicyRule } from './operator-install.ts';
import { fallbackOperatorRules } from './operator-rules.ts';
import { CHART_FILES, PLACEHOLDER_NAMESPACE, PLACEHOLDER_WATCH_NAMESPACE, chartDefaults } from './chart-values.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CRD_FILE = path.join(repoRoot, 'operator/crd/cesstreams.ces.io.yaml');
const RBAC_MODULE = path.join(repoRoot, 'operator/rbac.ts');
const DASHBOARDS_DIR = path.join(repoRoot, 'dashboards/generated');

interface Rbac {
  readonly cluster: readonly PolicyRule[];
  readonly leaderElection?: readonly PolicyRule[];
}

/**
 * The operator's own rules (`operator/rbac.ts`: the first PolicyRule[] export for the
 * ClusterRole, `leaderElectionRules` for the namespaced Role); the fallback list until it exists.
 */
export async function operatorRbac(): Promise<Rbac> {
  if (!existsSync(RBAC_MODULE)) return { cluster: fallbackOperatorRules };
  const mod = (await import(RBAC_MODULE)) as Record<string, unknown>;
  const isRules = (v: unknown): v is PolicyRule[] => Array.isArray(v) && v.every((r) => Array.isArray((r as PolicyRule).verbs));
  const cluster = Object.values(mod).find(isRules);
  if (!cluster) throw new Error(`${RBAC_MODULE} exports no PolicyRule[]`);
  const leaderElection = isRules(mod.leaderElectionRules) ? mod.leaderElectionRules : undefined;
  return leaderElection ? { cluster, leaderElection } : { cluster };
}

/** Operator dashboards: the generated Grafana JSON files with "operator" in their name (ces-operator.json). */
function operatorDashboards(): Record<string, string> {
  if (!existsSync(DASHBOARDS_DIR)) return {};
  const files = readdirSync(DASHBOARDS_DIR, { recursive: true, encoding: 'utf8' })
    .filter((f) => path.basename(f).includes('operator') && f.endsWith('.json'))
    .sort();
  return Object.fromEntries(files.map((f) => [path.basename(f), readFileSync(path.join(DASHBOARDS_DIR, f), 'utf8')]));
}

export async function buildApp(outdir?: string): Promise<App> {
  const app = new App(outdir === undefined ? {} : { outdir });
  const chart = (id: string) => new Chart(app, id, { disableResourceNameHashes: true });
  const namespace = PLACEHOLDER_NAMESPACE;
  const rbac = await operatorRbac();
  const rules = rbac.cluster;

  if (existsSync(CRD_FILE)) new CesStreamCrd(chart(CHART_FILES.crds), 'cesstream', parse(readFileSync(CRD_FILE, 'utf8')) as Record<string, unknown>);
  const operator = chart(CHART_FILES.operator);
  new OperatorServiceAccount(operator, 'sa', { namespace });
  new OperatorClusterRole(operator, 'cluster-role', { namespace, rules });
  new OperatorLeaderElectionRbac(operator, 'leader-election', { namespace, ...(rbac.leaderElection ? { rules: rbac.leaderElection } : {}) });
  new OperatorDeployment(operator, 'deployment', {
    namespace,
    image: `${chartDefaults.image.repository}:${chartDefaults.appVersion}`,
    imagePullPolicy: chartDefaults.image.pullPolicy,
    replicas: chartDefaults.replicas,
    resources: chartDefaults.resources,
    logLevel: chartDefaults.logLevel,
    monitoringNamespace: chartDefaults.monitoringNamespace,
  });
  new OperatorBindings(chart(CHART_FILES.clusterBinding), 'bindings', { namespace, rules, watchNamespaces: [] });
  // One binding; helmify ranges it over the watch namespaces plus monitoringNamespace.
  new OperatorBindings(chart(CHART_FILES.namespaceBinding), 'bindings', { namespace, rules, watchNamespaces: [PLACEHOLDER_WATCH_NAMESPACE] });
  new OperatorServiceMonitor(chart(CHART_FILES.serviceMonitor), 'sm', { namespace });
  const dashboards = operatorDashboards();
  if (Object.keys(dashboards).length > 0) new OperatorDashboards(chart(CHART_FILES.dashboards), 'dashboards', { namespace, dashboards });
  return app;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  (await buildApp()).synth();
}
