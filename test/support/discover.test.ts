import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { filterTestFiles, findTestFiles } from './discover.ts';

describe('test file discovery', () => {
  let root: string;
  const touch = (rel: string) => {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), '');
  };

  before(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'ces-discover-'));
    for (const rel of [
      'gateway/src/core/router.test.ts',
      'gateway/src/adapters/redis/store.int.test.ts',
      'test/e2e/flow.test.ts',
      'gateway/src/core/router.ts',
      'node_modules/dep/x.test.ts',
      'gateway/node_modules/dep/y.test.ts',
      '.ces/infra/z.test.ts',
      'charts/ces/t.test.ts',
      '.hidden/h.test.ts',
      'test/e2e/notes.test.ts.md',
    ]) {
      touch(rel);
    }
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('finds every *.test.ts outside dependencies, runtime data, charts and hidden folders', () => {
    const rel = findTestFiles(root).map((f) => path.relative(root, f));
    assert.deepEqual(rel, ['gateway/src/adapters/redis/store.int.test.ts', 'gateway/src/core/router.test.ts', 'test/e2e/flow.test.ts']);
  });

  it('keeps everything without filters', () => {
    const files = findTestFiles(root);
    assert.deepEqual(filterTestFiles(files, [], root, root), files);
  });

  it('selects by folder, by file, and by substring', () => {
    const files = findTestFiles(root);
    const rel = (filters: string[]) => filterTestFiles(files, filters, root, root).map((f) => path.relative(root, f));
    assert.deepEqual(rel(['gateway']), ['gateway/src/adapters/redis/store.int.test.ts', 'gateway/src/core/router.test.ts']);
    assert.deepEqual(rel(['test/e2e/flow.test.ts']), ['test/e2e/flow.test.ts']);
    assert.deepEqual(rel(['.int.test']), ['gateway/src/adapters/redis/store.int.test.ts']);
    assert.deepEqual(rel(['router', 'e2e']), ['gateway/src/core/router.test.ts', 'test/e2e/flow.test.ts']);
  });

  it('a folder filter does not match a sibling folder that shares its prefix', () => {
    touch('gateway-extra/a.test.ts');
    const files = findTestFiles(root);
    const rel = filterTestFiles(files, ['gateway'], root, root).map((f) => path.relative(root, f));
    assert.ok(!rel.includes('gateway-extra/a.test.ts'));
  });

  it('an explicitly named test file is selected even where discovery does not look', () => {
    const rel = filterTestFiles(findTestFiles(root), ['.hidden/h.test.ts', 'node_modules/dep/none.test.ts'], root, root).map((f) => path.relative(root, f));
    assert.deepEqual(rel, ['.hidden/h.test.ts']);
  });

  it('a filter that matches nothing selects nothing', () => {
    assert.deepEqual(filterTestFiles(findTestFiles(root), ['no-such-thing'], root, root), []);
  });
});
