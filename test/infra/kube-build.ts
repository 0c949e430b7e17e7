/**
 * Build-or-reuse of kube-apiserver and etcd from Go modules (wrapper module in test/infra/go/kube,
 * recipe in docs/testing-kube.md). The first build takes tens of minutes on 2 cores; afterwards
 * the binaries are reused from the cache for as long as the wrapper module, the build script and
 * the Go version stay the same.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cachedBuild, goVersion, isComplete, runLockedBuild, stampOf } from './kube-go.ts';

const moduleDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'go', 'kube');

export interface KubeBinaries {
  kubeApiserver: string;
  etcd: string;
}

/** The Kubernetes version the wrapper module pins (single source of truth: its go.mod). */
export function kubeVersion(): string {
  const goMod = readFileSync(path.join(moduleDir, 'go.mod'), 'utf8');
  const match = /^\s*k8s\.io\/kubernetes (v\d+\.\d+\.\d+)\s*$/m.exec(goMod);
  if (!match?.[1]) throw new Error(`no "k8s.io/kubernetes vX.Y.Z" requirement in ${moduleDir}/go.mod`);
  return match[1];
}

/** Builds kube-apiserver + etcd into `<cache>/kube-<version>/bin` unless a complete build is there. */
export async function ensureKubeBinaries(): Promise<KubeBinaries> {
  const version = kubeVersion();
  const build = cachedBuild('kube', version);
  const binaries = { kubeApiserver: path.join(build.bin, 'kube-apiserver'), etcd: path.join(build.bin, 'etcd') };
  const files = ['go.mod', 'go.sum', 'tools.go', 'build.sh'].map((f) => readFileSync(path.join(moduleDir, f), 'utf8'));
  const stamp = stampOf(version, await goVersion(), ...files);
  if (isComplete(build, stamp, ['kube-apiserver', 'etcd'])) return binaries;
  console.error(`test/infra: building kube-apiserver + etcd ${version} from Go modules (first time: tens of minutes); log: ${build.log}`);
  await runLockedBuild(build, `kube-apiserver/etcd ${version}`, 'bash', [path.join(moduleDir, 'build.sh'), build.dir, version, stamp]);
  if (!isComplete(build, stamp, ['kube-apiserver', 'etcd'])) {
    throw new Error(`kube build finished but ${build.bin} has no complete build; see ${build.log}`);
  }
  return binaries;
}
