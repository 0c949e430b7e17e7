/**
 * @ces/dashboards: Grafana dashboards and alert rules as code, built from the metric contract.
 *
 * The operator calls these per CesStream:
 *   renderDashboards({ uidPrefix })                      → { '<uid>.json': model } for grafana_dashboard ConfigMaps
 *   renderAlertRules({ selector: { namespace, stream },  → Prometheus rule file, PrometheusRule,
 *                      thresholds, name, namespace })      Grafana provisioning doc, GrafanaAlertRuleGroup
 * `generate.ts` writes the defaults into dashboards/generated/ (checked in, drift-tested).
 */
export { renderDashboards, dashboardExpressions, type DashboardParams, type DashboardKind, type RenderedDashboards } from './dashboards.ts';
export { renderAlertRules, grafanaRuleUid, type RenderAlertParams, type RenderedAlertRules } from './render-alerts.ts';
export { alertDefinitions, DefaultThresholds, type AlertDefinition, type AlertParams, type AlertThresholds } from './alerts.ts';
export { metricNames } from './promql.ts';
export { shippedExpressions, type ShippedExpression } from './expressions.ts';
export { substituteGrafanaVariables } from './promql.ts';
