/**
 * The operator process: load config (exit on a bad key), build the adapters, run, and drain on
 * SIGTERM/SIGINT (stop reconciling, release the Lease, exit).
 */
import pino from 'pino';
import { loadConfig } from './config.ts';
import { KubeCluster, loadKubeConfig } from './runtime/kube.ts';
import { kafkaTopicAdminFactory } from './adapters/kafka-topic-admin.ts';
import { startOperator } from './operator.ts';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    process.stderr.write(`ces-operator: invalid configuration: ${(err as Error).message}\n`);
    process.exit(2);
  }
  const log = pino({ level: config.logLevel, base: { component: 'ces-operator' } });
  const cluster = new KubeCluster(loadKubeConfig(config.kubeconfig));
  const operator = await startOperator(config, { cluster, adminFactory: kafkaTopicAdminFactory(config.kafka), log, defaultMetrics: true });
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'Shutting down');
    operator.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'Shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

await main();
