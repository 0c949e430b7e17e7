/**
 * Composition root: loadConfig → logger → tracing (when `OTEL_*` configures it) → composeGateway → start; SIGTERM/SIGINT → drain and
 * exit 0 within ws.drainGraceMs (+1 s hard bound). A bad config exits 78 naming the key.
 */
import { loadProcessConfig, loadProcessOtelEnv, ConfigError, type GatewayConfig } from './config/load.ts';
import { createLogger } from './observability/logger.ts';

async function main(): Promise<void> {
  let config: GatewayConfig;
  try {
    config = loadProcessConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`ces-gateway: ${err.message}\n`);
    process.exit(78); // EX_CONFIG
  }
  const logger = createLogger({ level: config.log.level, node: config.node });
  // Imported after the config is valid, so a bad config fails fast without loading Kafka/Redis clients.
  const { startTracing, tracingEnabled } = await import('./observability/tracing.ts');
  const otelEnv = loadProcessOtelEnv();
  const tracing = startTracing({ enabled: tracingEnabled(otelEnv), serviceName: otelEnv.OTEL_SERVICE_NAME || 'ces-gateway' });
  if (tracing.enabled) logger.info({ event: 'tracing_started' }, 'OpenTelemetry tracing enabled');
  const { composeGateway } = await import('./compose.ts');
  const gateway = await composeGateway(config, { logger });
  const { url } = await gateway.start();
  logger.info({ event: 'listening', url }, `ces-gateway listening on ${url}`);

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ event: 'signal', signal }, 'shutting down');
    setTimeout(() => {
      logger.error({ event: 'drain_timeout' }, 'drain exceeded its grace period; exiting');
      process.exit(1);
    }, config.ws.drainGraceMs + 1000).unref();
    gateway
      .stop()
      // Flush pending spans; a collector that is down must not turn a clean drain into a failure.
      .then(() => tracing.shutdown().catch((err: unknown) => logger.warn({ err }, 'tracing shutdown failed')))
      .then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`ces-gateway: failed to start: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
