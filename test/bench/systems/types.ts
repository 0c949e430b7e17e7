/**
 * One system under test as the harness sees it: started once per run on a private Redis and the
 * bench's Kafka topic, it knows how to address a record to a target and how its clients open a
 * session for one. Scenarios (scenario.ts) drive every system through this same surface.
 */
import type { SessionSpec, SystemName, Target } from '../payload.ts';

/** session: one session per target. group: many sessions share a target (customer / room). */
export type TargetKind = 'session' | 'group';

export interface SystemContext {
  brokers: string[];
  topic: string;
  /** Consumer group the system's own consumer uses. */
  group: string;
  redisUrl: string;
  /** Unique prefix for Redis keys and names of this run. */
  prefix: string;
  gateways: number;
  /** Folder for configs and logs of this run. */
  workDir: string;
  /** History entries per channel, the same for every system that keeps history. */
  historySize: number;
  /** When set, CES gateways write V8 CPU profiles (`--cpu-prof`) into this folder. */
  profileDir?: string;
}

export interface RunningSystem {
  name: SystemName;
  /** Server process ids (for CPU/RSS). */
  pids(): number[];
  /** How the producer addresses a record to `key`. */
  target(key: string, kind: TargetKind): Target;
  /**
   * The client session the i-th worker session opens for `key`. For CES in `session` mode the key
   * is empty: the session id is minted at registration and becomes the target (the worker reports it).
   */
  session(key: string, kind: TargetKind, index: number): SessionSpec;
  stop(): Promise<void>;
}

export type StartSystem = (ctx: SystemContext) => Promise<RunningSystem>;
