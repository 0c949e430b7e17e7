/**
 * Writes dashboards/generated/ from the code (`npm run -w @ces/dashboards generate`). Files that
 * are no longer generated are removed so the folder is exactly the generator's output.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatedFiles } from './generated-files.ts';

export const generatedDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../generated');

function main(): void {
  const files = generatedFiles();
  for (const sub of ['dashboards', 'alerts']) {
    mkdirSync(path.join(generatedDir, sub), { recursive: true });
    for (const name of readdirSync(path.join(generatedDir, sub))) {
      if (!(`${sub}/${name}` in files)) rmSync(path.join(generatedDir, sub, name));
    }
  }
  for (const [rel, content] of Object.entries(files)) writeFileSync(path.join(generatedDir, rel), content);
  console.log(`wrote ${Object.keys(files).length} files to ${generatedDir}`);
}

if (import.meta.main) main();
