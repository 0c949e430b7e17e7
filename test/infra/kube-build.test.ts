/** Unit tests of the pure parts of the kube/helm build cache and credentials (no Go, no servers). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { kubeVersion } from './kube-build.ts';
import { cachedBuild, isComplete, stampOf } from './kube-go.ts';
import { TEST_GROUP, TEST_USERS, writeTokens } from './kube-auth.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

describe('wrapper module test/infra/go/kube', () => {
  it('pins every staging module to the v0.N.P release of the required Kubernetes v1.N.P', () => {
    const goMod = readFileSync(path.join(here, 'go', 'kube', 'go.mod'), 'utf8');
    const staging = kubeVersion().replace(/^v1\./, 'v0.');
    const replaces = [...goMod.matchAll(/^\s*(k8s\.io\/[\w-]+) => (k8s\.io\/[\w-]+) (v\S+)\s*$/gm)];
    assert.ok(replaces.length >= 30, `expected the full staging list, found ${replaces.length}`);
    for (const [, from, to, version] of replaces) {
      assert.equal(to, from, `${from} must be replaced by its own published module`);
      assert.equal(version, staging, `${from} must be at ${staging}`);
    }
  });
});

describe('build cache marker', () => {
  it('reuses a build only when the stamp matches and every binary exists', () => {
    const cache = mkdtempSync(path.join(os.tmpdir(), 'ces-kube-cache-'));
    const saved = process.env.CES_CACHE_DIR;
    process.env.CES_CACHE_DIR = cache;
    try {
      const build = cachedBuild('thing', 'v1.2.3');
      assert.equal(build.dir, path.join(cache, 'thing-v1.2.3'));
      const stamp = stampOf('v1.2.3', 'go1.26.8', 'go.mod contents');
      assert.equal(isComplete(build, stamp, ['a']), false, 'nothing built yet');
      mkdirSync(build.bin);
      writeFileSync(path.join(build.bin, 'a'), '');
      assert.equal(isComplete(build, stamp, ['a']), false, 'binary without marker: an interrupted build');
      writeFileSync(build.marker, stamp);
      assert.equal(isComplete(build, stamp, ['a']), true);
      assert.equal(isComplete(build, stamp, ['a', 'b']), false, 'a binary is missing');
      assert.equal(isComplete(build, stampOf('v1.2.3', 'go1.27.0', 'go.mod contents'), ['a']), false, 'new Go toolchain');
    } finally {
      if (saved === undefined) delete process.env.CES_CACHE_DIR;
      else process.env.CES_CACHE_DIR = saved;
      rmSync(cache, { recursive: true, force: true });
    }
  });

  it('stamps differ when any part differs, including where the parts are split', () => {
    assert.notEqual(stampOf('ab', 'c'), stampOf('a', 'bc'));
    assert.equal(stampOf('a', 'b'), stampOf('a', 'b'));
  });
});

describe('tokens.csv', () => {
  it('puts the admin in system:masters and every test user in the test group, with fresh unique tokens', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ces-kube-tokens-'));
    try {
      const first = writeTokens(dir).tokens;
      const lines = readFileSync(path.join(dir, 'tokens.csv'), 'utf8').trim().split('\n');
      const rows = lines.map((l) => /^([^,]+),([^,]+),([^,]+),"([^"]*)"$/.exec(l));
      assert.ok(rows.every((r) => r !== null), 'every line is token,user,uid,"groups"');
      const byUser = new Map(rows.map((r) => [r![2], { token: r![1], groups: r![4] }]));
      assert.deepEqual(byUser.get('ces-admin'), { token: first.admin, groups: 'system:masters' });
      for (const user of TEST_USERS) assert.deepEqual(byUser.get(user), { token: first.users[user], groups: TEST_GROUP });
      const second = writeTokens(dir).tokens;
      const all = [first.admin, ...Object.values(first.users), second.admin, ...Object.values(second.users)];
      assert.equal(new Set(all).size, all.length, 'no token repeats, within or across starts');
      assert.ok(all.every((t) => t.length >= 32 && /^[\w-]+$/.test(t)), 'tokens are long and CSV-safe');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
