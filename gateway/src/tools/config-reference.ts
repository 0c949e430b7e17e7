/**
 * Renders docs/configuration.md from the convict schema: every key with its env name, format,
 * default and doc. `npm run -w @ces/gateway docs:config` writes it; config-reference.test.ts fails on drift.
 */
import { gatewaySchema } from '../config/schema.ts';
import { walk } from '../config/load.ts';

function formatOf(format: unknown): string {
  if (Array.isArray(format)) return format.map((v) => `\`${v === '' ? '""' : String(v)}\``).join(' \\| ');
  if (format === String) return 'string';
  if (format === Boolean) return 'boolean';
  if (format === Array) return 'list (comma-separated in env)';
  if (format === Number) return 'number';
  if (typeof format === 'function') return 'validated (see doc)';
  return String(format);
}

function defaultOf(leaf: { default: unknown; sensitive?: boolean }): string {
  const d = leaf.default;
  const text = Array.isArray(d) ? d.join(',') : typeof d === 'object' && d !== null ? JSON.stringify(d) : String(d);
  return text === '' ? '(empty)' : `\`${text.replace(/\|/g, '\\|')}\``;
}

export function configurationReference(): string {
  const rows: string[] = [];
  walk(gatewaySchema, [], (path, leafIn) => {
    const leaf = leafIn as { doc: string; format: unknown; default: unknown; env?: string; sensitive?: boolean };
    const doc = leaf.doc.replace(/\|/g, '\\|').replace(/\n/g, ' ');
    rows.push(`| \`${path.join('.')}\` | ${leaf.env ? `\`${leaf.env}\`` : ''} | ${formatOf(leaf.format)} | ${defaultOf(leaf)} | ${leaf.sensitive ? 'yes' : ''} | ${doc} |`);
  });
  return [
    '# Gateway configuration reference',
    '',
    '<!-- GENERATED from gateway/src/config/schema.ts (and delivery-schema.ts) by `npm run -w @ces/gateway docs:config`. Do not edit. -->',
    '',
    'Sources, later wins: schema defaults → `ces-gateway --config file.(json|yaml)` (nested keys as below) → `CES_*` environment variables.',
    'The configuration is validated once at start (unknown keys in the file are errors); a bad value exits with code 78 and names the key.',
    'Sensitive values are never logged.',
    '',
    '| Key | Env | Format | Default | Secret | Description |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
