/**
 * Builds the OpenAPI document exactly as a running gateway serves it at GET /openapi.json (same
 * composition, memory stores, nothing listening), for the checked-in gateway/openapi.json.
 */
import { loadConfig } from '../config/load.ts';
import { createLogger } from '../observability/logger.ts';
import { createMetrics } from '../observability/metrics.ts';
import { composeGateway } from '../compose.ts';

export async function openApiDocument(): Promise<unknown> {
  const config = loadConfig([], {}, { log: { level: 'silent' }, auth: { apiToken: 'x' } });
  const gateway = await composeGateway(config, { logger: createLogger({ level: 'silent', node: 'openapi' }), metrics: createMetrics(undefined, { defaultMetrics: false }) });
  await gateway.http.ready();
  const doc = gateway.http.swagger();
  await gateway.http.close();
  return JSON.parse(JSON.stringify(doc));
}

export function formatJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
