/**
 * The alert catalogue in its three deployable forms:
 *  - a Prometheus rule file (`groups:`), the body of a prometheus-operator `PrometheusRule`;
 *  - Grafana alerting file provisioning (`apiVersion: 1`, for the sidecar's `grafana_alert` ConfigMaps);
 *  - a grafana-operator `GrafanaAlertRuleGroup`.
 * Field shapes follow operator-anchors.md §2.3–2.5. Every rule carries `runbook_url`.
 */
import { createHash } from 'node:crypto';
import { alertDefinitions, type AlertDefinition, type AlertParams } from './alerts.ts';

export interface RenderAlertParams extends AlertParams {
  /** Rule group name and the `metadata.name` of the CRs. @default 'ces-gateway' */
  name?: string;
  /** `metadata.namespace` of the CRs. @default omitted */
  namespace?: string;
  /** `metadata.labels` of the `PrometheusRule` (must match Prometheus' ruleSelector, e.g. `release`). @default {} */
  ruleLabels?: Readonly<Record<string, string>>;
  /** Evaluation interval of the groups. @default '1m' */
  interval?: string;
  /** Grafana datasource uid the Grafana forms query. @default 'prometheus' */
  datasourceUid?: string;
  /** Grafana folder title (provisioning) / GrafanaFolder name (`folderRef`). @default 'CES' */
  folder?: string;
  /** grafana-operator `instanceSelector.matchLabels`. @default { dashboards: 'grafana' } */
  instanceSelector?: Readonly<Record<string, string>>;
}

export interface RenderedAlertRules {
  /** Prometheus rule file: `promtool check rules` input. */
  prometheusRuleFile: { groups: PrometheusGroup[] };
  /** `monitoring.coreos.com/v1` PrometheusRule. */
  prometheusRule: Record<string, unknown>;
  /** Grafana file-provisioning document (`/etc/grafana/provisioning/alerting/*.yaml`). */
  grafanaProvisioning: Record<string, unknown>;
  /** `grafana.integreatly.org/v1beta1` GrafanaAlertRuleGroup. */
  grafanaAlertRuleGroup: Record<string, unknown>;
}

export interface PrometheusGroup {
  name: string;
  interval: string;
  rules: { alert: string; expr: string; for: string; labels: Record<string, string>; annotations: Record<string, string> }[];
}

function annotations(d: AlertDefinition): Record<string, string> {
  return { summary: d.summary, description: d.description, runbook_url: d.runbookUrl };
}

function prometheusGroup(defs: AlertDefinition[], name: string, interval: string): PrometheusGroup {
  return {
    name,
    interval,
    rules: defs.map((d) => ({ alert: d.name, expr: d.expr, for: d.for, labels: { severity: d.severity }, annotations: annotations(d) })),
  };
}

/**
 * Grafana rule uids must match `^[a-zA-Z0-9-_]+$` and be ≤ 40 chars, and must be unique per
 * Grafana: a short hash of the group name keeps per-stream groups apart.
 */
export function grafanaRuleUid(group: string, alert: string): string {
  const hash = createHash('sha256').update(group).digest('hex').slice(0, 8);
  return `${hash}-${alert.toLowerCase()}`.slice(0, 40);
}

/** Grafana's AlertQuery list: A = the Prometheus query (instant), B = threshold on A. */
function grafanaRule(d: AlertDefinition, group: string, datasourceUid: string) {
  const relativeTimeRange = { from: 600, to: 0 }; // a zero range fails the whole provisioning batch
  return {
    uid: grafanaRuleUid(group, d.name),
    title: d.name,
    condition: 'B',
    for: d.for,
    noDataState: 'OK',
    execErrState: 'Error',
    labels: { severity: d.severity },
    annotations: annotations(d),
    data: [
      {
        refId: 'A',
        datasourceUid,
        relativeTimeRange,
        model: { refId: 'A', datasource: { type: 'prometheus', uid: datasourceUid }, expr: d.query, instant: true },
      },
      {
        refId: 'B',
        datasourceUid: '__expr__',
        relativeTimeRange,
        model: {
          refId: 'B',
          type: 'threshold',
          expression: 'A',
          datasource: { type: '__expr__', uid: '__expr__' },
          conditions: [{ type: 'query', evaluator: { type: d.op === '>' ? 'gt' : 'lt', params: [d.threshold] } }],
        },
      },
    ],
  };
}

/** Renders every alert for `params` in the three forms. Pure: same input, same output. */
export function renderAlertRules(params: RenderAlertParams = {}): RenderedAlertRules {
  const defs = alertDefinitions(params);
  const name = params.name ?? 'ces-gateway';
  const interval = params.interval ?? '1m';
  const datasourceUid = params.datasourceUid ?? 'prometheus';
  const folder = params.folder ?? 'CES';
  const metadata = (labels: Readonly<Record<string, string>>) => ({
    name,
    ...(params.namespace === undefined ? {} : { namespace: params.namespace }),
    labels: { 'app.kubernetes.io/part-of': 'ces', ...labels },
  });
  const group = prometheusGroup(defs, name, interval);
  const grafanaRules = defs.map((d) => grafanaRule(d, name, datasourceUid));
  return {
    prometheusRuleFile: { groups: [group] },
    prometheusRule: {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: metadata(params.ruleLabels ?? {}),
      spec: { groups: [group] },
    },
    grafanaProvisioning: { apiVersion: 1, groups: [{ orgId: 1, name, folder, interval, rules: grafanaRules }] },
    grafanaAlertRuleGroup: {
      apiVersion: 'grafana.integreatly.org/v1beta1',
      kind: 'GrafanaAlertRuleGroup',
      metadata: metadata({}),
      spec: {
        folderRef: folder.toLowerCase().replace(/[^a-z0-9-]/g, '-'),
        instanceSelector: { matchLabels: { ...(params.instanceSelector ?? { dashboards: 'grafana' }) } },
        interval,
        rules: grafanaRules,
      },
    },
  };
}
