// Writes operator/crd/cesstreams.ces.io.yaml from the CRD definition (`npm run -w @ces/operator crd`).
import { writeFileSync } from 'node:fs';
import { CrdFile, crdYaml } from './crd-yaml.ts';

writeFileSync(CrdFile, crdYaml());
process.stdout.write(`wrote ${CrdFile}\n`);
