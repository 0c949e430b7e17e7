/**
 * A single-node KRaft Kafka broker (combined broker+controller) on 127.0.0.1, run with the machine's
 * Java from the Maven-fetched jars (kafka-dist.ts). Every start gets a fresh data folder and fresh
 * ports: tests never depend on what an earlier run left in the broker.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { ensureKafkaDist } from './kafka-dist.ts';
import { componentDir } from './paths.ts';
import { freePorts, isOwnedAlive, runOk, spawnDetached, stopOwned, tailOf, waitUntil, type OwnedProcess } from './procs.ts';
import type { Running } from './records.ts';

export interface KafkaState {
  brokers: string[];
}

export interface KafkaPropsInput {
  port: number;
  controllerPort: number;
  dataDir: string;
}

/**
 * server.properties for a throwaway test broker (reference/infra.md §1.4, variant A: static quorum,
 * formatted without --standalone). Test-friendly choices and why:
 * - auto.create.topics.enable=false: a typo'd topic fails loudly instead of silently appearing;
 * - group.initial.rebalance.delay.ms=0 and group.min.session.timeout.ms=1000: consumer groups form
 *   at once and tests may use short session timeouts;
 * - offsets/transaction topics with 1 partition, replication factor 1: single node, fast first join;
 * - small segments and indexes: hundreds of short-lived test topics stay cheap on disk and memory.
 */
export function renderServerProperties({ port, controllerPort, dataDir }: KafkaPropsInput): string {
  const props: Record<string, string | number | boolean> = {
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.voters': `1@127.0.0.1:${controllerPort}`,
    'controller.listener.names': 'CONTROLLER',
    listeners: `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${port}`,
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    'log.dirs': dataDir,
    'offsets.topic.replication.factor': 1,
    'offsets.topic.num.partitions': 1,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'transaction.state.log.num.partitions': 1,
    'default.replication.factor': 1,
    'min.insync.replicas': 1,
    'num.partitions': 1,
    'auto.create.topics.enable': false,
    'delete.topic.enable': true,
    'group.initial.rebalance.delay.ms': 0,
    'group.min.session.timeout.ms': 1000,
    'num.network.threads': 2,
    'num.io.threads': 4,
    'log.segment.bytes': 8 * 1024 * 1024,
    'log.index.size.max.bytes': 1024 * 1024,
    'log.retention.ms': 60 * 60 * 1000,
    'log.retention.check.interval.ms': 60 * 1000,
    'log.cleaner.dedupe.buffer.size': 2 * 1024 * 1024,
  };
  return Object.entries(props).map(([k, v]) => `${k}=${v}`).join('\n') + '\n';
}

const log4jProperties = `log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.kafka.network.RequestChannel$=WARN
log4j.logger.state.change.logger=WARN
log4j.logger.org.apache.kafka.storage.internals.log=WARN
log4j.logger.kafka.log.LogCleaner=WARN
`;

/** A Kafka cluster id: 16 random bytes, base64url without padding (Kafka's Uuid text form). */
export function randomClusterId(): string {
  // base64url may start with '-', which kafka-storage's argument parser takes for a flag
  // ("--cluster-id/-t: expected one argument"); draw again in that case (1 in 64).
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

export interface StartKafkaOptions {
  /** Data, config and log folder. @default .ces/infra/kafka */
  dir?: string;
  /** @default 90_000 (a cold JVM on a busy 2-core machine) */
  readyTimeoutMs?: number;
  /**
   * Restart a broker that `startKafka` ran in `dir` before (it must be stopped): same ports, same
   * cluster id, same data — for reliability tests that kill and restart Kafka under load.
   * @default false (wipe `dir`, fresh ports, fresh cluster)
   */
  restart?: boolean;
}

/** The ports of a broker, remembered in `<dir>/ports.json` so a restart binds the same ones. */
interface KafkaPorts {
  port: number;
  controllerPort: number;
}

/** Starts a detached broker and resolves once a KafkaJS admin can list topics on it. */
export async function startKafka(opts: StartKafkaOptions = {}): Promise<Running<KafkaState>> {
  const dist = await ensureKafkaDist();
  const dir = opts.dir ?? componentDir('kafka');
  const propsFile = path.join(dir, 'server.properties');
  const log4jFile = path.join(dir, 'log4j.properties');
  const logFile = path.join(dir, 'server.log');
  const portsFile = path.join(dir, 'ports.json');
  const classpath = ['-cp', `${dist.libs}/*`, `-Dlog4j.configuration=file:${log4jFile}`, `-Dkafka.logs.dir=${dir}`];

  let ports: KafkaPorts;
  if (opts.restart) {
    ports = JSON.parse(readFileSync(portsFile, 'utf8')) as KafkaPorts;
  } else {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(path.join(dir, 'data'), { recursive: true });
    const [port, controllerPort] = (await freePorts(2)) as [number, number];
    ports = { port, controllerPort };
    writeFileSync(portsFile, JSON.stringify(ports));
    writeFileSync(propsFile, renderServerProperties({ ...ports, dataDir: path.join(dir, 'data') }));
    writeFileSync(log4jFile, log4jProperties);
    // TieredStopAtLevel=1: the formatter is a short-lived JVM; C1 only starts it faster.
    await runOk('java', ['-Xmx256m', '-XX:TieredStopAtLevel=1', ...classpath, 'kafka.tools.StorageTool', 'format', '-t', randomClusterId(), '-c', propsFile]);
  }

  const heap = (process.env.CES_KAFKA_HEAP_OPTS ?? '-Xms256m -Xmx1g').split(/\s+/).filter(Boolean);
  const jvm = ['-server', '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', '-Djava.awt.headless=true'];
  const proc = await spawnDetached('java', [...heap, ...jvm, ...classpath, 'kafka.Kafka', propsFile], {
    cwd: dir,
    logFile,
    marker: propsFile,
  });
  const brokers = [`127.0.0.1:${ports.port}`];
  try {
    await waitUntil(`Kafka on ${brokers[0]}`, () => kafkaHealthy(brokers), {
      timeoutMs: opts.readyTimeoutMs ?? 90_000,
      intervalMs: 500,
      check: () => exitedCheck(proc, logFile),
    });
  } catch (err) {
    await stopOwned(proc, 2_000); // a broker that never became ready is not left running
    throw err;
  }
  return { state: { brokers }, procs: [proc] };
}

function exitedCheck(proc: OwnedProcess, logFile: string): void {
  if (!isOwnedAlive(proc)) throw new Error(`Kafka exited during startup; ${logFile}:\n${tailOf(logFile, 30)}`);
}

/** True when a KafkaJS admin connects and lists topics within a few seconds. */
export async function kafkaHealthy(brokers: string[]): Promise<boolean> {
  const kafka = new Kafka({
    clientId: 'ces-infra-probe',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    requestTimeout: 3000,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.listTopics();
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
