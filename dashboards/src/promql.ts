/**
 * Small PromQL helpers shared by dashboards and alert rules: label-matcher rendering and metric
 * name extraction (via the Prometheus project's own lezer grammar, so the sync test reads
 * queries the way Prometheus does, not with a regex).
 */
import { parser } from '@prometheus-io/lezer-promql';

/** Raw label matchers, e.g. `['namespace="shop"', 'stream=~"$stream"']`. Empty selects everything. */
export type Matchers = readonly string[];

/** Quotes a label value for an equality matcher. */
export function quote(value: string): string {
  return JSON.stringify(value);
}

/** Equality matchers from a label map (alert rules: a concrete stream/namespace). */
export function equals(labels: Readonly<Record<string, string>> = {}): Matchers {
  return Object.entries(labels).map(([k, v]) => `${k}=${quote(v)}`);
}

/** `metric{a="b",c=~"d"}`; extra matchers are appended after the selector's. */
export function series(metric: string, sel: Matchers, ...extra: string[]): string {
  const all = [...sel, ...extra];
  return all.length === 0 ? metric : `${metric}{${all.join(',')}}`;
}

/**
 * Grafana template variables replaced with values Prometheus accepts, so a dashboard query can be
 * parsed or sent to the query API. Regex variables become `.*` (match all).
 */
export function substituteGrafanaVariables(expr: string, rangeInterval = '1m'): string {
  return expr
    .replace(/\$__rate_interval|\$__interval|\$__range/g, rangeInterval)
    .replace(/\$\{?(\w+)\}?/g, '.*');
}

/**
 * Every metric name a PromQL expression selects (vector and range selectors, including
 * `{__name__="x"}`). Throws when the expression does not parse.
 */
export function metricNames(expr: string): string[] {
  const text = substituteGrafanaVariables(expr);
  const tree = parser.parse(text);
  const names = new Set<string>();
  let error: number | undefined;
  tree.iterate({
    enter(node) {
      if (node.type.isError) error ??= node.from;
      if (node.name !== 'VectorSelector') return;
      const id = node.node.getChild('Identifier');
      if (id) names.add(text.slice(id.from, id.to));
      const nameMatcher = /__name__\s*=\s*"([^"]+)"/.exec(text.slice(node.from, node.to));
      if (nameMatcher?.[1]) names.add(nameMatcher[1]);
    },
  });
  if (error !== undefined) throw new Error(`PromQL does not parse at ${error}: ${text}`);
  return [...names];
}
