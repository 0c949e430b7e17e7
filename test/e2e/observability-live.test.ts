/**
 * Observability, live: a real Prometheus scrapes a real gateway (real Kafka and Redis) under a
 * little load — registrations, WebSocket clients, live deliveries, a replay, DLQ'd records, HTTP
 * errors — with the shipped alert rules loaded. Then every expression of every dashboard panel,
 * template variable and alert runs through Prometheus' HTTP query API: it must be valid, and
 * return data unless the condition it watches is provably absent in this run (listed below with
 * the reason). Alerts must evaluate healthy and stay quiet for a healthy gateway.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { Kafka, logLevel } from 'kafkajs';
import WebSocket from 'ws';
import { needs, uniqueName } from '../support/infra.ts';
import { createTopicsAndWait } from '../support/kafka.ts';
import { startPrometheus, type PrometheusInstance } from '../infra/prometheus.ts';
import { waitUntil } from '../infra/procs.ts';
import { instantQuery, loadedRules } from './support/prometheus-api.ts';
import { renderAlertRules, shippedExpressions, substituteGrafanaVariables, metricNames } from '@ces/dashboards';
import { OperatorMetrics } from '@ces/contracts/metrics';
import { createMetrics } from '@ces/gateway/observability/metrics';
import { startGateway, type StartedGateway } from '@ces/gateway/testing/start-gateway';

const kafka = needs('kafka');
const redis = needs('redis');
const prometheus = needs('prometheus');
const skip = kafka.skip || redis.skip || prometheus.skip;

const SESSIONS = 4;
/** Good records: a first wave so the consumed counter exists before any DLQ record, then the rest. */
const FIRST_WAVE = 100;
const SECOND_WAVE = 400;
const BAD_RECORDS = 2; // 2 / 502 ≈ 0.4% of records to the DLQ: under the 1% error-rate threshold

/**
 * What each alert must do in this run. `quiet`: its condition is deterministically absent
 * (the expression returns nothing, the rule is inactive). `present`: the load creates its
 * condition (the expression returns data, the rule is pending). `valid`: the condition depends on
 * timing on a shared 2-core machine (delivery latency), so only validity and health are checked —
 * performance belongs in benchmarks.
 */
const ALERT_EXPECTATIONS: Record<string, 'quiet' | 'present' | 'valid'> = {
  CesConsumerLagHigh: 'quiet',
  CesRecordErrorRateHigh: 'quiet',
  CesHttpErrorRateHigh: 'quiet',
  CesDeliveryLatencyHigh: 'valid',
  CesCircuitBreakerOpen: 'quiet',
  CesDlqGrowing: 'present',
  CesSlowConsumerClosesSpiking: 'quiet',
  CesNoReadyGateway: 'quiet',
  CesOperatorReconcileErrors: 'quiet',
};

/**
 * Expressions allowed to be empty in this run, by a metric they read and why the condition is
 * absent. Anything else must return at least one series.
 */
const ABSENT: Record<string, string> = {
  ...Object.fromEntries(Object.values(OperatorMetrics).map((m) => [m.name, 'no operator runs in this test'])),
};
/** Matchers that select a condition this healthy run never produces. */
const ABSENT_MATCHERS: [RegExp, string][] = [[/status=~"5\.\."/, 'the gateway answered no request with 5xx']];

function whyEmpty(expr: string): string | undefined {
  for (const name of metricNames(expr)) {
    const why = ABSENT[name.replace(/_(bucket|sum|count)$/, '')];
    if (why) return why;
  }
  for (const [re, why] of ABSENT_MATCHERS) if (re.test(expr)) return why;
  return undefined;
}

describe('observability against a real Prometheus scraping a real gateway', { skip }, () => {
  const stream = uniqueName('obs').replace(/[^a-z0-9-]/g, '-');
  const topic = `${stream}-events`;
  const topics = [topic, `${stream}-dlq`, `${stream}-inbound`];
  const groupId = `${stream}-group`;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ces-obs-live-'));
  const client = new Kafka({ clientId: 'obs-live', brokers: kafka.value?.brokers ?? [], logLevel: logLevel.NOTHING });
  const sockets: WebSocket[] = [];
  const received = new Map<string, number>();
  let gateway: StartedGateway | undefined;
  let prom: PrometheusInstance | undefined;

  async function session(): Promise<{ sessionId: string; websocketUrl: string }> {
    const sessionId = await gateway!.newSession({ customerId: uniqueName('cust') });
    return { sessionId, websocketUrl: `${gateway!.wsUrl}/ws/${sessionId}` };
  }

  async function register(body: unknown): Promise<number> {
    const res = await fetch(`${gateway!.url}/api/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    await res.arrayBuffer();
    return res.status;
  }

  function connect(url: string, sessionId: string): Promise<WebSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, 'ces.v1');
      sockets.push(ws);
      ws.on('message', (raw) => {
        const frame = JSON.parse(raw.toString()) as { type: string };
        if (frame.type === 'welcome') resolve(ws);
        if (frame.type === 'message') received.set(sessionId, (received.get(sessionId) ?? 0) + 1);
      });
      ws.once('error', reject);
    });
  }

  async function produce(sessionIds: string[], count: number, bad: boolean): Promise<void> {
    const producer = client.producer();
    await producer.connect();
    const messages: { key: string; value: string; headers: Record<string, string> }[] = Array.from({ length: count }, (_, i) => ({
      key: String(i),
      value: JSON.stringify({ i }),
      headers: { 'ces-session-id': sessionIds[i % sessionIds.length]! },
    }));
    // Malformed records: not JSON, and no routing target — both go to the DLQ.
    if (bad) messages.push({ key: 'bad-1', value: '{not json', headers: { 'ces-session-id': sessionIds[0]! } }, { key: 'bad-2', value: '{"no":"target"}', headers: {} });
    await producer.send({ topic, messages });
    await producer.disconnect();
  }

  async function scraped(expr: string, atLeast: number): Promise<void> {
    await waitUntil(`Prometheus sees ${expr} >= ${atLeast}`, async () => ((await instantQuery(prom!.url, expr)).values[0] ?? 0) >= atLeast, {
      timeoutMs: 30_000,
      intervalMs: 250,
    });
  }

  before(async () => {
    const admin = client.admin();
    await admin.connect();
    await createTopicsAndWait(admin, topics.map((t, i) => ({ topic: t, numPartitions: i === 0 ? 2 : 1 })));
    await admin.disconnect();

    gateway = await startGateway(
      {
        node: stream,
        redis: { url: redis.value!.url, keyPrefix: stream },
        kafka: {
          brokers: kafka.value!.brokers, topics: [topic], groupId, clientId: stream, dlqTopic: topics[1], inboundTopic: topics[2],
          sessionTimeoutMs: 6000, rebalanceTimeoutMs: 6000, heartbeatIntervalMs: 500, maxWaitMs: 100, partitionsConcurrently: 4,
        },
      },
      // The stream label every series carries, and Node's process metrics for the Process row.
      { metrics: createMetrics(undefined, { stream }) },
    );

    // Evaluate every second (shipped: 1m) so the test needs no long wait.
    const rules = renderAlertRules({ selector: { stream }, interval: '1s' }).prometheusRuleFile;
    const allStreams = renderAlertRules({ name: 'ces-all', interval: '1s' }).prometheusRuleFile;
    const ruleFile = path.join(dir, 'rules.yaml');
    writeFileSync(ruleFile, stringify({ groups: [...rules.groups, ...allStreams.groups] }));
    prom = await startPrometheus({ scrapeTargets: [new URL(gateway.url).host], ruleFiles: [ruleFile], intervalMs: 500, binaries: prometheus.value! });

    // Load: live clients, then a replay for a session that connects after its messages were stored.
    const live = await Promise.all(Array.from({ length: SESSIONS }, () => session()));
    await Promise.all(live.map((s) => connect(s.websocketUrl, s.sessionId)));
    const late = await session();
    const targets = [...live.map((s) => s.sessionId), late.sessionId];
    await produce(targets, FIRST_WAVE, false);
    await scraped(`sum(ces_gateway_records_consumed_total{stream="${stream}"})`, FIRST_WAVE);
    await produce(targets, SECOND_WAVE, true);
    await scraped(`sum(ces_gateway_records_consumed_total{stream="${stream}"})`, FIRST_WAVE + SECOND_WAVE + BAD_RECORDS);
    await waitUntil('live deliveries', () => live.every((s) => (received.get(s.sessionId) ?? 0) > 0), { timeoutMs: 30_000, intervalMs: 100 });
    await connect(late.websocketUrl, late.sessionId);
    await waitUntil('replay', () => (received.get(late.sessionId) ?? 0) > 0, { timeoutMs: 15_000, intervalMs: 100 });
    // Refused requests (4xx) so outcome labels other than ok have data.
    assert.equal(await register({ sessionId: 'not-a-session' }), 400);
    assert.equal(await register({ sessionId: 'x'.repeat(10_000) }), 400);
    // One client leaves normally, so disconnects have data.
    sockets[0]!.close(1000);
    // The disconnect is the last event: once its series has 3 samples, every series the load
    // created has at least that many, so every rate() window holds 2+ points.
    await scraped(`count_over_time(ces_gateway_disconnects_total{stream="${stream}"}[1m])`, 3);

    await scraped(`sum(ces_gateway_messages_replayed_total{stream="${stream}"})`, 1);
    await waitUntil('rules evaluated', async () => (await loadedRules(prom!.url)).every((r) => !r.lastEvaluation.startsWith('0001')), { timeoutMs: 15_000, intervalMs: 250 });
  });

  after(async () => {
    for (const ws of sockets) ws.terminate();
    await prom?.stop();
    await gateway?.stop();
    const admin = client.admin();
    await admin.connect();
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  it('scrapes the gateway metrics with the load in them', async () => {
    const delivered = await instantQuery(prom!.url, `sum(ces_gateway_messages_delivered_total{stream="${stream}"})`);
    assert.ok((delivered.values[0] ?? 0) >= FIRST_WAVE + SECOND_WAVE, `delivered ${delivered.values[0]}`);
    const dlq = await instantQuery(prom!.url, `sum by (reason) (ces_gateway_dlq_records_total{stream="${stream}"} > 0)`);
    assert.equal(dlq.count, 2, 'one decode and one no_target record');
  });

  it('runs every dashboard panel and template variable expression: valid, and data unless its condition is absent', async () => {
    const failures: string[] = [];
    for (const e of shippedExpressions({ selector: { stream } }).filter((x) => x.kind === 'panel' || x.kind === 'variable')) {
      const result = await instantQuery(prom!.url, substituteGrafanaVariables(e.expr, '1m'));
      const why = whyEmpty(e.expr);
      if (result.status !== 'success') failures.push(`${e.where}: ${result.error}`);
      else if (result.count === 0 && !why) failures.push(`${e.where}: no data for ${e.expr}`);
      else if (result.count > 0 && why) failures.push(`${e.where}: expected empty (${why}) but got data`);
    }
    assert.deepEqual(failures, []);
  });

  it('loads every alert rule and evaluates it healthy; quiet alerts are inactive, present ones pending', async () => {
    const rules = await loadedRules(prom!.url);
    assert.ok(rules.length >= 17, `loaded ${rules.length} rules`);
    for (const r of rules) {
      assert.equal(r.health, 'ok', `${r.name}: ${r.lastError ?? ''}`);
      const expect = ALERT_EXPECTATIONS[r.name];
      assert.ok(expect, `no expectation for ${r.name}`);
      if (expect === 'quiet') assert.equal(r.state, 'inactive', r.name);
      if (expect === 'present') assert.notEqual(r.state, 'inactive', r.name);
    }
  });

  it('runs every alert expression and query: valid; quiet, present or data as expected', async () => {
    const failures: string[] = [];
    for (const e of shippedExpressions({ selector: { stream } }).filter((x) => x.kind === 'alert' || x.kind === 'alert-query')) {
      const name = /^alert (?:query )?(\w+)/.exec(e.where)![1]!;
      const expect = ALERT_EXPECTATIONS[name];
      const result = await instantQuery(prom!.url, e.expr);
      const why = whyEmpty(e.expr);
      if (result.status !== 'success') failures.push(`${e.where}: ${result.error}`);
      else if (e.kind === 'alert' && expect === 'quiet' && result.count > 0) failures.push(`${e.where}: fires (${result.values.join(',')})`);
      else if (e.kind === 'alert' && expect === 'present' && result.count === 0) failures.push(`${e.where}: does not fire though the load created its condition`);
      else if (e.kind === 'alert-query' && result.count === 0 && !why) failures.push(`${e.where}: no data for ${e.expr}`);
    }
    assert.deepEqual(failures, []);
  });
});
