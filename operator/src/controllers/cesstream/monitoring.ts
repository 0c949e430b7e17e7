/**
 * Dashboards and alert rules for one CesStream, from @ces/dashboards (the same definitions the
 * repo's generated JSON comes from):
 * - dashboards: a ConfigMap labelled `grafana_dashboard` in the monitoring namespace;
 * - alerts: a Grafana file-provisioning ConfigMap labelled `grafana_alert` there too;
 * - a PrometheusRule and a GrafanaAlertRuleGroup in the stream's namespace, only when the API
 *   server serves those kinds (prometheus-operator / grafana-operator installed).
 * Series are selected by `{namespace, stream}`: Prometheus' target label and the gateway's
 * default `stream` label.
 */
import { stringify } from 'yaml';
import { renderAlertRules, renderDashboards } from '@ces/dashboards';
import type { CesStream } from '@ces/contracts/crd/v1alpha1';
import type { KubeObject } from '../../runtime/cluster.ts';
import { monitoringName, monitoringNamespace } from './names.ts';

export interface MonitoringOptions {
  readonly monitoringNamespace: string;
  readonly datasourceUid: string;
  readonly prometheusRule: boolean;
  readonly grafanaAlertRuleGroup: boolean;
}

export function renderMonitoring(cr: CesStream, labels: Record<string, string>, options: MonitoringOptions): KubeObject[] {
  const spec = cr.spec.monitoring;
  const out: KubeObject[] = [];
  const ns = monitoringNamespace(cr, options.monitoringNamespace);
  if (spec?.dashboards ?? true) {
    const dashboards = renderDashboards({ uidPrefix: dashboardUidPrefix(cr), tags: ['ces', cr.metadata.namespace, cr.metadata.name] });
    out.push(configMap(monitoringName(cr, 'dashboards'), ns, { ...labels, grafana_dashboard: '1' }, jsonFiles(dashboards)));
  }
  if (!(spec?.alerts ?? true)) return out;
  const t = spec?.thresholds;
  const rules = renderAlertRules({
    selector: { namespace: cr.metadata.namespace, stream: cr.metadata.name },
    thresholds: {
      ...(t?.consumerLagRecords === undefined ? {} : { consumerLagRecords: t.consumerLagRecords }),
      ...(t?.errorRatePercent === undefined ? {} : { errorRateRatio: t.errorRatePercent / 100 }),
      ...(t?.deliveryP95Seconds === undefined ? {} : { deliveryP95Seconds: t.deliveryP95Seconds }),
    },
    includeOperator: false,
    name: `${cr.metadata.name}-alerts`,
    namespace: cr.metadata.namespace,
    ruleLabels: { ...spec?.ruleLabels },
    datasourceUid: options.datasourceUid,
  });
  out.push(configMap(monitoringName(cr, 'alerts'), ns, { ...labels, grafana_alert: '1' }, { [`${monitoringName(cr, 'alerts')}.yaml`]: stringify(rules.grafanaProvisioning) }));
  if (options.prometheusRule) out.push(withLabels(rules.prometheusRule, labels));
  if (options.grafanaAlertRuleGroup) out.push(withLabels(rules.grafanaAlertRuleGroup, labels));
  return out;
}

/** Grafana uids are ≤ 40 chars and global: a short hash keeps streams apart. */
function dashboardUidPrefix(cr: CesStream): string {
  let h = 0;
  for (const ch of `${cr.metadata.namespace}/${cr.metadata.name}`) h = (Math.imul(h, 31) + ch.charCodeAt(0)) >>> 0;
  return `ces-${h.toString(36)}`;
}

function jsonFiles(models: Record<string, Record<string, unknown>>): Record<string, string> {
  return Object.fromEntries(Object.entries(models).map(([file, model]) => [file, JSON.stringify(model)]));
}

function configMap(name: string, namespace: string, labels: Record<string, string>, data: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, labels }, data };
}

function withLabels(obj: Record<string, unknown>, labels: Record<string, string>): KubeObject {
  const o = obj as unknown as KubeObject;
  return { ...o, metadata: { ...o.metadata, labels: { ...o.metadata.labels, ...labels } } };
}
