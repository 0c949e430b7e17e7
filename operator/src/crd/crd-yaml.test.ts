import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { CrdFile, crdYaml } from './crd-yaml.ts';

describe('CesStream CRD YAML', () => {
  it('matches the TypeScript definition (regenerate with npm run -w @ces/operator crd)', () => {
    assert.equal(readFileSync(CrdFile, 'utf8'), crdYaml());
  });

  it('is a structural v1 CRD with short name ces, status subresource and the documented printer columns', () => {
    const crd = parse(readFileSync(CrdFile, 'utf8')) as {
      spec: { names: { shortNames: string[] }; versions: { name: string; subresources: object; additionalPrinterColumns: { name: string }[] }[] };
    };
    const version = crd.spec.versions[0]!;
    assert.deepEqual(crd.spec.names.shortNames, ['ces']);
    assert.equal(version.name, 'v1alpha1');
    assert.deepEqual(version.subresources, { status: {} });
    assert.deepEqual(
      version.additionalPrinterColumns.map((c) => c.name),
      ['Ready', 'Reason', 'Replicas', 'Topics', 'Endpoint', 'Age'],
    );
  });

  it('describes every property of the spec', () => {
    const crd = parse(readFileSync(CrdFile, 'utf8')) as { spec: { versions: { schema: { openAPIV3Schema: Schema } }[] } };
    const missing: string[] = [];
    walk(crd.spec.versions[0]!.schema.openAPIV3Schema.properties!.spec!, 'spec', missing);
    assert.deepEqual(missing, []);
  });
});

interface Schema {
  description?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
}

function walk(schema: Schema, path: string, missing: string[]): void {
  if (!schema.description) missing.push(path);
  for (const [name, child] of Object.entries(schema.properties ?? {})) walk(child, `${path}.${name}`, missing);
  if (schema.items?.properties) for (const [name, child] of Object.entries(schema.items.properties)) walk(child, `${path}[].${name}`, missing);
}
