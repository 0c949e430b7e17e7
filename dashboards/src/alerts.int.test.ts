/**
 * The generated alert rules against the real promtool: `promtool check rules` on every rule file
 * form, and `promtool test rules` unit tests showing each alert firing and not firing on
 * synthetic series — for the generated (all-streams) file and for a per-stream rendering.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { stringify, parse } from 'yaml';
import { needs } from '../../test/support/infra.ts';
import { renderAlertRules, type RenderAlertParams } from './render-alerts.ts';
import { generatedDir } from './generate.ts';
import { alertCases, type AlertCase } from './alerts.cases.ts';

const run = promisify(execFile);

interface GrafanaRule {
  title: string;
  for: string;
  data: { refId: string; model: { expr?: string; conditions?: { evaluator: { type: string; params: number[] } }[] } }[];
}
interface GrafanaDoc {
  groups?: { rules: GrafanaRule[] }[];
  spec?: { rules: GrafanaRule[] };
}
const prometheus = needs('prometheus');

/** promtool compares annotations exactly; the unit tests assert names, labels and timing, so they are dropped here. */
function ruleFileWithoutAnnotations(params: RenderAlertParams): unknown {
  const file = renderAlertRules(params).prometheusRuleFile;
  return { groups: file.groups.map((g) => ({ ...g, rules: g.rules.map(({ annotations: _a, ...r }) => r) })) };
}

async function promtool(...args: string[]): Promise<{ ok: boolean; out: string }> {
  try {
    const { stdout, stderr } = await run(prometheus.value!.promtool, args);
    return { ok: true, out: stdout + stderr };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    return { ok: false, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe('alert rules under promtool', { skip: prometheus.skip }, () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'ces-alerts-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Writes rules + a promtool test file for `cases` and runs `promtool test rules`. */
  async function testRules(name: string, params: RenderAlertParams, cases: AlertCase[]) {
    const rules = path.join(dir, `${name}.rules.yaml`);
    writeFileSync(rules, stringify(ruleFileWithoutAnnotations(params)));
    const tests = path.join(dir, `${name}.test.yaml`);
    writeFileSync(
      tests,
      stringify({
        rule_files: [rules],
        evaluation_interval: '1m',
        tests: cases.map((c) => ({
          name: c.name,
          interval: '1m',
          input_series: c.series.map(([series, values]) => ({ series, values })),
          alert_rule_test: [{ eval_time: c.evalTime, alertname: c.alert, exp_alerts: c.expect.map((exp_labels) => ({ exp_labels })) }],
        })),
      }),
    );
    return promtool('test', 'rules', tests);
  }

  it('accepts every generated rule file form (plain file and the PrometheusRule spec)', async () => {
    const plain = await promtool('check', 'rules', path.join(generatedDir, 'alerts/prometheus-rules.yaml'));
    assert.ok(plain.ok, plain.out);
    assert.match(plain.out, /SUCCESS: 9 rules found/);
    const cr = parse(readFileSync(path.join(generatedDir, 'alerts/prometheusrule.yaml'), 'utf8')) as { spec: unknown };
    const specFile = path.join(dir, 'prometheusrule-spec.yaml');
    writeFileSync(specFile, stringify(cr.spec));
    const spec = await promtool('check', 'rules', specFile);
    assert.ok(spec.ok, spec.out);
  });

  it('accepts the Grafana forms\' queries with their thresholds as Prometheus rules', async () => {
    for (const form of ['grafana-alerting.yaml', 'grafana-alertrulegroup.yaml']) {
      const doc = parse(readFileSync(path.join(generatedDir, 'alerts', form), 'utf8')) as GrafanaDoc;
      const rules = (doc.groups?.[0]?.rules ?? doc.spec?.rules ?? []).map((r) => {
        const query = r.data.find((d) => d.refId === 'A')!.model.expr!;
        const ev = r.data.find((d) => d.refId === 'B')!.model.conditions![0]!.evaluator;
        return { alert: r.title, expr: `(${query}) ${ev.type === 'gt' ? '>' : '<'} ${ev.params[0]}`, for: r.for };
      });
      assert.equal(rules.length, 9, form);
      const file = path.join(dir, `grafana-${form}`);
      writeFileSync(file, stringify({ groups: [{ name: 'grafana', rules }] }));
      const res = await promtool('check', 'rules', file);
      assert.ok(res.ok, `${form}: ${res.out}`);
    }
  });

  it('accepts a per-stream rendering with hostile label values and custom thresholds', async () => {
    const file = path.join(dir, 'hostile.yaml');
    const params = { selector: { namespace: 'shop', stream: 'a"b\\c\nd' }, thresholds: { consumerLagRecords: 5, breakerOpenFor: '30s' } };
    writeFileSync(file, stringify(renderAlertRules(params).prometheusRuleFile));
    const res = await promtool('check', 'rules', file);
    assert.ok(res.ok, res.out);
  });

  it('rejects a rule file whose expression does not parse (the check can fail)', async () => {
    const file = path.join(dir, 'broken.yaml');
    writeFileSync(file, stringify({ groups: [{ name: 'x', rules: [{ alert: 'Broken', expr: 'sum by (' }] }] }));
    assert.equal((await promtool('check', 'rules', file)).ok, false);
  });

  it('fires and stays quiet on synthetic series for every alert (all-streams rules)', async () => {
    const res = await testRules('all', {}, alertCases({ scoped: false }));
    assert.ok(res.ok, res.out);
  });

  it('fires and stays quiet on synthetic series for every alert (per-stream rules)', async () => {
    const res = await testRules('stream', { selector: { namespace: 'shop', stream: 'orders' } }, alertCases({ scoped: true }));
    assert.ok(res.ok, res.out);
  });

  it('uses the threshold parameters: a higher lag threshold keeps the lag alert quiet', async () => {
    const firing = alertCases({ scoped: true }).filter((c) => c.alert === 'CesConsumerLagHigh' && c.expect.length > 0);
    assert.ok(firing.length > 0);
    const quiet = firing.map((c) => ({ ...c, expect: [] }));
    const res = await testRules('threshold', { selector: { namespace: 'shop', stream: 'orders' }, thresholds: { consumerLagRecords: 200_000 } }, quiet);
    assert.ok(res.ok, res.out);
  });

  it('detects a wrong expectation (the unit tests can fail)', async () => {
    const wrong = alertCases({ scoped: true })
      .filter((c) => c.expect.length === 0)
      .slice(0, 1)
      .map((c) => ({ ...c, expect: [{ severity: 'warning' }] }));
    const res = await testRules('wrong', { selector: { namespace: 'shop', stream: 'orders' } }, wrong);
    assert.equal(res.ok, false);
    assert.match(res.out, /FAILED/);
    assert.match(res.out, /got:\[\]/); // it evaluated the rule and compared the alerts
  });
});

