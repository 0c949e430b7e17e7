/** `npm run -w @ces/gateway docs:config`: regenerates docs/configuration.md from the schema. */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { configurationReference } from './config-reference.ts';

const target = fileURLToPath(new URL('../../../docs/configuration.md', import.meta.url));
writeFileSync(target, configurationReference());
console.log(`wrote ${target}`);
