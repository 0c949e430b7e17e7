/**
 * Proves promtool and Prometheus are real: rule files are checked by promtool, and a private
 * Prometheus started by startPrometheus scrapes a target and evaluates a recording rule.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { needs } from '../support/infra.ts';
import { run, waitUntil } from './procs.ts';
import { startPrometheus, type PrometheusInstance } from './prometheus.ts';

const prometheus = needs('prometheus');

const validRules = `groups:
  - name: ces-infra-test
    rules:
      - record: ces:infra_test_value:doubled
        expr: ces_infra_test_value * 2
      - alert: CesInfraTestHigh
        expr: ces_infra_test_value > 100
        for: 1m
        labels: { severity: warning }
        annotations: { summary: "value is high" }
`;

describe('real promtool and Prometheus', { skip: prometheus.skip }, () => {
  let dir: string;
  const file = (name: string, body: string) => {
    const p = path.join(dir, name);
    writeFileSync(p, body);
    return p;
  };

  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'ces-prom-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('promtool check rules accepts a valid rule file', async () => {
    const result = await run(prometheus.value!.promtool, ['check', 'rules', file('valid.yml', validRules)]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /SUCCESS: 2 rules found/);
  });

  it('promtool check rules rejects broken PromQL, broken YAML and an unknown field', async () => {
    const broken = {
      'bad-expr.yml': validRules.replace('ces_infra_test_value * 2', 'sum(ces_infra_test_value'),
      'bad-yaml.yml': 'groups:\n  - name: x\n    rules: [\n',
      'bad-field.yml': validRules.replace('expr: ces_infra_test_value > 100', 'expression: ces_infra_test_value > 100'),
    };
    for (const [name, body] of Object.entries(broken)) {
      const result = await run(prometheus.value!.promtool, ['check', 'rules', file(name, body)]);
      assert.notEqual(result.code, 0, `${name} was accepted`);
      assert.match(result.stderr + result.stdout, /FAILED|error/i, name);
    }
  });

  describe('startPrometheus', () => {
    let target: http.Server;
    let prom: PrometheusInstance | undefined;
    let value = 21;

    before(async () => {
      target = http.createServer((req, res) => {
        if (req.url !== '/metrics') return void res.writeHead(404).end();
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
        res.end(`# TYPE ces_infra_test_value gauge\nces_infra_test_value ${value}\n`);
      });
      await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    });
    after(async () => {
      await prom?.stop();
      await new Promise((resolve) => target.close(resolve));
    });

    it('scrapes a target and evaluates a recording rule from a rule file', async () => {
      const address = target.address() as { port: number };
      prom = await startPrometheus({
        scrapeTargets: [`127.0.0.1:${address.port}`],
        ruleFiles: [file('rules.yml', validRules)],
        intervalMs: 500,
        binaries: prometheus.value!,
      });
      const query = async (q: string) => {
        const res = await fetch(`${prom!.url}/api/v1/query?query=${encodeURIComponent(q)}`);
        const body = (await res.json()) as { data: { result: { value: [number, string] }[] } };
        return body.data.result[0]?.value[1];
      };
      await waitUntil('the recorded series', async () => (await query('ces:infra_test_value:doubled')) === '42', { timeoutMs: 30_000 });
      value = 50;
      await waitUntil('the new scrape', async () => (await query('ces:infra_test_value:doubled')) === '100', { timeoutMs: 30_000 });
      const targets = (await (await fetch(`${prom.url}/api/v1/targets`)).json()) as { data: { activeTargets: { health: string }[] } };
      assert.deepEqual(targets.data.activeTargets.map((t) => t.health), ['up']);
    });

    it('stop() ends the server and removes its data folder', async () => {
      const own = await startPrometheus({ scrapeTargets: [], binaries: prometheus.value! });
      assert.ok((await fetch(`${own.url}/-/ready`)).ok);
      await own.stop();
      await assert.rejects(fetch(`${own.url}/-/ready`));
      assert.equal(existsSync(own.dir), false);
    });
  });
});
