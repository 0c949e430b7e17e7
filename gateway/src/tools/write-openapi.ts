/** `npm run -w @ces/gateway openapi`: regenerates gateway/openapi.json from the route schemas. */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { formatJson, openApiDocument } from './openapi-document.ts';

const target = fileURLToPath(new URL('../../openapi.json', import.meta.url));
writeFileSync(target, formatJson(await openApiDocument()));
console.log(`wrote ${target}`);
