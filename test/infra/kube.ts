/**
 * A real Kubernetes control plane for tests: etcd + kube-apiserver built from Go modules
 * (kube-build.ts), on 127.0.0.1 free ports, with static-token auth and the RBAC authorizer so
 * permission tests are real. No kubelet, scheduler or controller-manager: Deployments never get
 * Pods, there is no garbage collection and namespaces stay Terminating (envtest's limits; see
 * docs/testing-kube.md). Each start wipes `dataDir`, so every run begins with an empty cluster.
 */
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { InfraState } from '../support/infra.ts';
import { ADMIN_USER, writeKubeconfig, writeServiceAccountKeys, writeTokens } from './kube-auth.ts';
import { ensureKubeBinaries } from './kube-build.ts';
import { freePort, httpGet, startServer, stopServer, waitHealthy, type ServerProcess } from './kube-process.ts';

export { ensureKubeBinaries, kubeVersion } from './kube-build.ts';

export interface StartKubeOptions {
  /** Wiped and re-created: etcd data, certificates, tokens, kubeconfig and logs, e.g. `.ces/infra/kube`. */
  dataDir: string;
  /** Startup budget per server (default 60 s; a cached start takes a few seconds). */
  timeoutMs?: number;
}

export interface RunningKube {
  state: NonNullable<InfraState['kube']>;
  /** Stops apiserver then etcd and waits until both are gone (in the process that started them). */
  stop(): Promise<void>;
  pids: number[];
  /**
   * The same processes for a later `down` from another process: `marker` (the absolute dataDir)
   * occurs in both command lines, so a recycled pid is never mistaken for ours (procs.ts OwnedProcess).
   */
  procs: { pid: number; marker: string }[];
}

/** Port races with other processes are retried with fresh ports; any other failure is thrown. */
export async function startKube(opts: StartKubeOptions): Promise<RunningKube> {
  const bins = await ensureKubeBinaries();
  let lastError: unknown;
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      return await startOnce(bins, opts);
    } catch (err) {
      lastError = err;
      if (!/address already in use|bind: /i.test(String(err))) throw err;
    }
  }
  throw lastError;
}

async function startOnce(bins: { kubeApiserver: string; etcd: string }, opts: StartKubeOptions): Promise<RunningKube> {
  const dataDir = path.resolve(opts.dataDir);
  const timeoutMs = opts.timeoutMs ?? 60_000;
  rmSync(dataDir, { recursive: true, force: true });
  const pki = path.join(dataDir, 'pki');
  mkdirSync(pki, { recursive: true });
  const servers: ServerProcess[] = [];
  const stop = async (): Promise<void> => {
    // apiserver first: with etcd already gone it spends ~13 s retrying to delete its identity Lease.
    for (const server of [...servers].reverse()) await stopServer(server);
  };
  try {
    const etcdUrl = await startEtcd(bins.etcd, dataDir, timeoutMs, servers);
    const port = await freePort();
    const server = `https://127.0.0.1:${port}`;
    const { file: tokenFile, tokens } = writeTokens(pki);
    const sa = writeServiceAccountKeys(pki);
    const apiserver = startServer('kube-apiserver', bins.kubeApiserver, apiserverArgs({ port, etcdUrl, pki, tokenFile, sa }), path.join(dataDir, 'kube-apiserver.log'));
    servers.push(apiserver);
    // --cert-dir: the apiserver writes a self-signed serving certificate for 127.0.0.1 there before it listens.
    const caFile = path.join(pki, 'apiserver.crt');
    await waitHealthy(apiserver, async () => (await httpGet(`${server}/readyz`, { ca: caFile, token: tokens.admin })).status === 200, timeoutMs);
    const kubeconfigPath = path.join(dataDir, 'kubeconfig.yaml');
    writeKubeconfig(kubeconfigPath, { server, caFile, user: ADMIN_USER, token: tokens.admin });
    const state = { server, token: tokens.admin, kubeconfigPath, caFile, users: tokens.users };
    return { state, stop, pids: servers.map((s) => s.pid), procs: servers.map((s) => ({ pid: s.pid, marker: dataDir })) };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function startEtcd(bin: string, dataDir: string, timeoutMs: number, servers: ServerProcess[]): Promise<string> {
  const clientUrl = `http://127.0.0.1:${await freePort()}`;
  const peerUrl = `http://127.0.0.1:${await freePort()}`;
  const etcd = startServer(
    'etcd',
    bin,
    [
      `--data-dir=${path.join(dataDir, 'etcd')}`,
      `--listen-client-urls=${clientUrl}`,
      `--advertise-client-urls=${clientUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=default=${peerUrl}`,
      // Test data is disposable: skipping fsync makes every write (and so every test) much faster.
      '--unsafe-no-fsync=true',
      '--log-level=warn',
    ],
    path.join(dataDir, 'etcd.log'),
  );
  servers.push(etcd);
  await waitHealthy(etcd, async () => (await httpGet(`${clientUrl}/health`)).body.includes('"health":"true"'), timeoutMs);
  return clientUrl;
}

function apiserverArgs(o: { port: number; etcdUrl: string; pki: string; tokenFile: string; sa: { publicKey: string; privateKey: string } }): string[] {
  return [
    `--etcd-servers=${o.etcdUrl}`,
    '--bind-address=127.0.0.1',
    // The endpoint reconciler publishes the `kubernetes` Service endpoints, which may not be loopback;
    // nothing in-cluster needs them here, so it is off and everything stays on 127.0.0.1.
    '--advertise-address=127.0.0.1',
    '--endpoint-reconciler-type=none',
    `--secure-port=${o.port}`,
    `--cert-dir=${o.pki}`,
    `--token-auth-file=${o.tokenFile}`,
    // Real RBAC: the admin passes through system:masters, the test users start with no rights.
    '--authorization-mode=RBAC',
    `--service-account-issuer=https://127.0.0.1:${o.port}`,
    `--service-account-key-file=${o.sa.publicKey}`,
    `--service-account-signing-key-file=${o.sa.privateKey}`,
    '--service-cluster-ip-range=10.0.0.0/24',
    '--allow-privileged=true',
    // No controller-manager creates default ServiceAccounts, so the admission plugin that requires them is off.
    '--disable-admission-plugins=ServiceAccount',
    '--profiling=false',
    '--v=1',
  ];
}

/** True when the apiserver recorded in `state` answers /readyz (for reusing a running control plane). */
export async function kubeHealthy(state: NonNullable<InfraState['kube']>): Promise<boolean> {
  try {
    return (await httpGet(`${state.server}/readyz`, { ca: state.caFile, token: state.token })).status === 200;
  } catch {
    return false;
  }
}
