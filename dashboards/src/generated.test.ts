/**
 * Drift test: dashboards/generated/ must be exactly what the generator produces. After changing a
 * dashboard, an alert or a metric name, run `npm run -w @ces/dashboards generate` and commit.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { generatedFiles } from './generated-files.ts';
import { generatedDir } from './generate.ts';

describe('generated dashboards and alert rules', () => {
  it('match the checked-in files byte for byte, with no extra files', () => {
    const want = generatedFiles();
    const onDisk = ['dashboards', 'alerts'].flatMap((sub) => readdirSync(path.join(generatedDir, sub)).map((f) => `${sub}/${f}`));
    assert.deepEqual(onDisk.sort(), Object.keys(want).sort(), 'run: npm run -w @ces/dashboards generate');
    for (const [rel, content] of Object.entries(want)) {
      assert.equal(readFileSync(path.join(generatedDir, rel), 'utf8'), content, `${rel} drifted: run npm run -w @ces/dashboards generate`);
    }
  });

  it('produces identical output on every run (no timestamps or random ids)', () => {
    assert.deepEqual(generatedFiles(), generatedFiles());
  });
});
