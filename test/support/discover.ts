/**
 * Test file discovery for test/run.ts: every `*.test.ts` in the repository except dependencies,
 * runtime data and generated charts, optionally narrowed by command-line filters.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** Folder names never searched: dependencies, runtime data, generated output, VCS. */
export const skippedDirs = new Set(['node_modules', '.ces', 'charts', '.git', 'dist', 'coverage']);

/** All `*.test.ts` under `root`, as sorted absolute paths. Hidden folders are skipped too. */
export function findTestFiles(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        if (!skippedDirs.has(entry.name) && !entry.name.startsWith('.')) walk(path.join(dir, entry.name));
      } else if (entry.isFile() && entry.name.endsWith('.test.ts')) {
        found.push(path.join(dir, entry.name));
      }
    }
  };
  walk(root);
  return found.sort();
}

/**
 * Keeps the files matching any filter. A filter that names an existing file or folder (relative to
 * `cwd`) selects that file or everything under it; any other filter selects files whose path
 * relative to `root` contains it (e.g. `redis` or `.int.test`). An existing `*.test.ts` file named
 * explicitly is selected even where discovery does not look (e.g. a fixture in a temp folder).
 * No filters keeps everything.
 */
export function filterTestFiles(files: string[], filters: string[], root: string, cwd = process.cwd()): string[] {
  if (filters.length === 0) return files;
  const matchers = filters.map((filter) => {
    const abs = path.resolve(cwd, filter);
    let isDir = false;
    let exists = false;
    try {
      isDir = statSync(abs).isDirectory();
      exists = true;
    } catch {
      // not a path: substring filter
    }
    if (exists) return (file: string) => (isDir ? file.startsWith(abs + path.sep) : file === abs);
    return (file: string) => path.relative(root, file).includes(filter);
  });
  const selected = files.filter((file) => matchers.some((match) => match(file)));
  for (const filter of filters) {
    const abs = path.resolve(cwd, filter);
    if (abs.endsWith('.test.ts') && !selected.includes(abs) && isFile(abs)) selected.push(abs);
  }
  return selected;
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}
