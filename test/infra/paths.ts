/**
 * Where the test infrastructure keeps things.
 *
 * - Downloads (Kafka jars) go to the per-user cache `${CES_CACHE_DIR:-${XDG_CACHE_HOME:-~/.cache}/ces}`,
 *   the same rule scripts/node.sh and test/infra/kube-go.ts use, so every fresh clone reuses them.
 * - Runtime data, logs, pid records and `state.json` go to the git-ignored `.ces/infra/` of this checkout,
 *   so two checkouts on one machine never share servers.
 */
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../support/infra.ts';

export { repoRoot };

export function cacheDir(): string {
  const xdg = process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache');
  return process.env.CES_CACHE_DIR ?? path.join(xdg, 'ces');
}

/** `.ces/infra` of this checkout (CES_INFRA_DIR overrides, for tests of the infra code itself). */
export function infraDir(): string {
  return process.env.CES_INFRA_DIR ?? path.join(repoRoot, '.ces', 'infra');
}

/** The data/log folder of one component, e.g. `.ces/infra/kafka`. */
export function componentDir(name: string): string {
  return path.join(infraDir(), name);
}
