/**
 * helm v3 for chart tests, built from Go modules into `<cache>/helm-<version>/bin/helm` once and
 * reused (see docs/testing-kube.md). Only offline commands are expected (create, lint, template,
 * package); nothing here talks to a cluster or a chart repository.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cachedBuild, goVersion, isComplete, runLockedBuild, stampOf } from './kube-go.ts';

/** Newest helm v3 that builds with the machine's Go 1.26 (its go.mod says go 1.26.0). */
export const HELM_VERSION = 'v3.22.0';
/** Minor of the k8s.io/client-go (v0.37.0) that helm v3.22.0 depends on: its default KubeVersion. */
const HELM_K8S_MINOR = '37';

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'go', 'helm', 'build.sh');

export async function ensureHelm(): Promise<{ bin: string }> {
  const build = cachedBuild('helm', HELM_VERSION);
  const stamp = stampOf(HELM_VERSION, HELM_K8S_MINOR, await goVersion(), readFileSync(script, 'utf8'));
  const bin = path.join(build.bin, 'helm');
  if (isComplete(build, stamp, ['helm'])) return { bin };
  console.error(`test/infra: building helm ${HELM_VERSION} from Go modules (first time: a few minutes); log: ${build.log}`);
  await runLockedBuild(build, `helm ${HELM_VERSION}`, 'bash', [script, build.dir, HELM_VERSION, HELM_K8S_MINOR, stamp]);
  if (!isComplete(build, stamp, ['helm'])) throw new Error(`helm build finished but ${build.bin} has no complete build; see ${build.log}`);
  return { bin };
}
