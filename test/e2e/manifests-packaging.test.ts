/**
 * Static checks of what cannot be built here (no container engine, no skaffold binary): the
 * Dockerfiles and skaffold.yaml refer to files that exist, keep up with the workspace list, and
 * hold the properties docs/install.md promises (Node 24, non-root, production deps only via
 * `npm ci` and the lockfile, no HEALTHCHECK).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { repoRoot } from '../support/infra.ts';

/** File text with Dockerfile line continuations joined. */
const read = (file: string) => readFileSync(path.join(repoRoot, file), 'utf8').replace(/\\\n\s*/g, ' ');
const workspaces = (JSON.parse(read('package.json')) as { workspaces: string[] }).workspaces;

/** `COPY <src...> <dest>` sources of the build context (not `--from=` stage copies). */
function copySources(dockerfile: string): string[] {
  return dockerfile
    .split('\n')
    .filter((line) => /^COPY\s/.test(line) && !line.includes('--from='))
    .flatMap((line) => line.trim().split(/\s+/).slice(1, -1));
}

describe('Dockerfiles', () => {
  for (const [file, workspace] of [['gateway/Dockerfile', '@ces/gateway'], ['operator/Dockerfile', '@ces/operator']] as const) {
    it(`${file}: Node 24, non-root, production dependencies from the lockfile, no HEALTHCHECK`, () => {
      const text = read(file);
      const froms = text.split('\n').filter((l) => l.startsWith('FROM '));
      assert.ok(froms.length >= 2, 'multi-stage');
      for (const from of froms) assert.match(from, /^FROM node:24[-.\w]*( AS \w+)?$/);
      assert.match(text, /^USER node$/m);
      assert.doesNotMatch(text, /^HEALTHCHECK/m);
      assert.match(text, new RegExp(`npm ci --omit=dev [^\\n]*--workspace=${workspace}`));
      assert.doesNotMatch(text, /npm install/);
    });

    it(`${file}: every copied path exists and every workspace manifest is copied (npm ci checks them all)`, () => {
      const sources = copySources(read(file));
      for (const src of sources) assert.ok(existsSync(path.join(repoRoot, src)), `${file} copies missing ${src}`);
      for (const ws of workspaces) assert.ok(sources.includes(`${ws}/package.json`), `${file} does not copy ${ws}/package.json`);
      assert.ok(sources.includes('package-lock.json'));
    });
  }

  it('.dockerignore keeps what the Dockerfiles copy', () => {
    const rules = read('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    const ignored = (p: string) => {
      let out = false;
      for (const rule of rules) {
        const negate = rule.startsWith('!');
        const pattern = negate ? rule.slice(1) : rule;
        const re = new RegExp(`^${pattern.replaceAll('.', '\\.').replaceAll('**/', '(.*/)?').replaceAll('*', '[^/]*')}(/.*)?$`);
        if (re.test(p)) out = !negate;
      }
      return out;
    };
    for (const file of ['gateway/Dockerfile', 'operator/Dockerfile']) {
      for (const src of copySources(read(file))) assert.equal(ignored(src), false, `${src} (copied by ${file}) is excluded by .dockerignore`);
    }
    assert.equal(ignored('gateway/node_modules'), true);
    assert.equal(ignored('.ces/infra/state.json'), true);
  });
});

describe('skaffold.yaml', () => {
  const configs = parseAllDocuments(read('skaffold.yaml')).map((d) => d.toJS() as Record<string, any>); // eslint-disable-line @typescript-eslint/no-explicit-any

  it('uses the v4beta schema and builds both images from their Dockerfiles', () => {
    for (const c of configs) assert.match(c.apiVersion, /^skaffold\/v4beta\d+$/);
    const artifacts = configs.flatMap((c) => c.build?.artifacts ?? []);
    assert.deepEqual(artifacts.map((a: { docker: { dockerfile: string } }) => a.docker.dockerfile).sort(), ['gateway/Dockerfile', 'operator/Dockerfile']);
  });

  it('deploys the generated chart, then an example CesStream whose gateway image it substitutes', () => {
    const [operator, example] = configs;
    const release = operator!.deploy.helm.releases[0];
    assert.ok(existsSync(path.join(repoRoot, release.chartPath, 'Chart.yaml')));
    assert.deepEqual(example!.requires, [{ configs: [operator!.metadata.name] }]);
    for (const f of example!.manifests.rawYaml) assert.ok(existsSync(path.join(repoRoot, f)), f);
    assert.deepEqual(example!.resourceSelector.allow[0], { groupKind: 'CesStream.ces.io', image: ['.spec.gateway.image'] });
    const builtGateway = example!.build.artifacts[0].image;
    const exampleImage = (parseAllDocuments(read(example!.manifests.rawYaml[0])).map((d) => d.toJS())[0] as { spec: { gateway: { image: string } } }).spec.gateway.image;
    assert.equal(exampleImage.split(':')[0], builtGateway, 'skaffold only replaces the image it builds');
  });
});
