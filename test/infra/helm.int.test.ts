/**
 * Proves the cached helm build works offline for what the chart tests need: create, lint and
 * template a throwaway chart, and lint rejects a broken one. All files live in a temp dir.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { needs } from '../support/infra.ts';

const helm = needs('helm');
const run = promisify(execFile);

describe('helm (built from Go modules)', { skip: helm.skip, timeout: 60_000 }, () => {
  let dir = '';
  // HELM_* dirs point into the temp dir so the test never reads or writes the user's helm config.
  const helmCmd = async (...args: string[]): Promise<string> => {
    const env = { ...process.env, HELM_CACHE_HOME: path.join(dir, 'cache'), HELM_CONFIG_HOME: path.join(dir, 'config'), HELM_DATA_HOME: path.join(dir, 'data') };
    return (await run(helm.value!.bin, args, { env, timeout: 30_000 })).stdout;
  };

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'ces-helm-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reports a v3 version', async () => {
    assert.match((await helmCmd('version', '--short')).trim(), /^v3\.\d+\.\d+/);
  });

  it('creates a chart that lints clean and renders a Deployment named after the release', async () => {
    const chart = path.join(dir, 'demo');
    await helmCmd('create', chart);
    assert.match(await helmCmd('lint', '--strict', chart), /1 chart\(s\) linted, 0 chart\(s\) failed/);
    const rendered = parseAllDocuments(await helmCmd('template', 'my-release', chart, '--set', 'replicaCount=3'))
      .map((d) => d.toJS() as { kind?: string; metadata?: { name?: string }; spec?: { replicas?: number } } | null)
      .filter((d) => d !== null);
    const deployment = rendered.find((d) => d.kind === 'Deployment');
    assert.equal(deployment?.metadata?.name, 'my-release-demo');
    assert.equal(deployment?.spec?.replicas, 3);
  });

  it('renders with the Kubernetes version the build was stamped with, not helm\'s v1.20 default', async () => {
    const chart = path.join(dir, 'caps');
    await helmCmd('create', chart);
    await writeFile(path.join(chart, 'templates', 'caps.yaml'), 'kind: ConfigMap\napiVersion: v1\nmetadata: {name: caps}\ndata: {kube: "{{ .Capabilities.KubeVersion.Minor }}"}\n');
    const out = await helmCmd('template', 'r', chart, '--show-only', 'templates/caps.yaml');
    assert.match(out, /kube: "3\d"/);
  });

  it('fails lint and template on a chart whose template is broken', async () => {
    const chart = path.join(dir, 'broken');
    await helmCmd('create', chart);
    await writeFile(path.join(chart, 'templates', 'broken.yaml'), 'kind: ConfigMap\nmetadata:\n  name: {{ .Values.missing.field }\n');
    await assert.rejects(helmCmd('lint', chart), (err: { code?: number; stdout?: string }) => err.code === 1 && /parse error|unexpected/.test(err.stdout ?? ''));
    await assert.rejects(helmCmd('template', 'r', chart));
  });
});
