/**
 * Builds the kafkajs client from config: brokers, client id, TLS, SASL (PLAIN, SCRAM-SHA-256/512),
 * exponential jittered retry. kafkajs logs go to pino (warn and above).
 */
import { readFileSync } from 'node:fs';
import { Kafka, logLevel, type KafkaConfig, type SASLOptions } from 'kafkajs';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../../config/load.ts';

export type KafkaSettings = GatewayConfig['kafka'];

function sasl(s: KafkaSettings): SASLOptions | undefined {
  const { saslUsername: username, saslPassword: password } = s;
  switch (s.saslMechanism) {
    case 'plain':
      return { mechanism: 'plain', username, password };
    case 'scram-sha-256':
      return { mechanism: 'scram-sha-256', username, password };
    case 'scram-sha-512':
      return { mechanism: 'scram-sha-512', username, password };
    default:
      return undefined;
  }
}

/** The kafkajs options for a config (exported so the TLS/SASL mapping is unit-testable). */
export function kafkaOptions(s: KafkaSettings, logger?: Logger): KafkaConfig {
  const ssl = s.ssl ? (s.sslCaFile ? { ca: [readFileSync(s.sslCaFile, 'utf8')] } : true) : undefined;
  const options: KafkaConfig = {
    clientId: s.clientId,
    brokers: [...s.brokers],
    connectionTimeout: s.connectionTimeoutMs,
    retry: { initialRetryTime: s.retryInitialMs, maxRetryTime: s.retryMaxMs, retries: s.retries, factor: 0.2, multiplier: 2 },
    logLevel: logLevel.WARN,
    logCreator: () => (entry) => {
      const { message, ...extra } = entry.log;
      if (!logger) return;
      if (entry.level <= logLevel.ERROR) logger.error({ kafka: entry.namespace, ...extra }, message);
      else logger.warn({ kafka: entry.namespace, ...extra }, message);
    },
  };
  const auth = sasl(s);
  if (ssl !== undefined) options.ssl = ssl;
  if (auth) options.sasl = auth;
  return options;
}

export function createKafka(s: KafkaSettings, logger?: Logger): Kafka {
  return new Kafka(kafkaOptions(s, logger));
}

/** kafkajs headers → one UTF-8 string per name (the last value wins on repeated headers). */
export function headersOf(headers: Record<string, Buffer | string | (Buffer | string)[] | undefined> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const last = Array.isArray(value) ? value.at(-1) : value;
    if (last !== undefined) out[name] = last.toString();
  }
  return out;
}
