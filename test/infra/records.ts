/**
 * What `up` leaves behind for later `status`/`down` calls and other processes: one JSON record per
 * running component in `.ces/infra/<component>.json` (its public state slice plus the processes we
 * own). `down` stops exactly the processes listed there, so nothing we did not start is touched.
 */
import { readFileSync, renameSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { stopOwned, type OwnedProcess } from './procs.ts';
import { infraDir } from './paths.ts';

/** A started component: the slice of InfraState tests read, and the processes to stop. */
export interface Running<S> {
  state: S;
  procs: OwnedProcess[];
}

/** Stops a component started directly (e.g. a private broker in a reliability test): SIGTERM, then SIGKILL after `graceMs`. */
export async function stopRunning(running: Running<unknown>, graceMs = 10_000): Promise<void> {
  await Promise.all(running.procs.map((p) => stopOwned(p, graceMs)));
}

export interface ComponentRecord<S = unknown> extends Running<S> {
  component: string;
  startedAt: string;
}

function recordFile(component: string): string {
  return path.join(infraDir(), `${component}.json`);
}

export function readRecord<S>(component: string): ComponentRecord<S> | undefined {
  try {
    return JSON.parse(readFileSync(recordFile(component), 'utf8')) as ComponentRecord<S>;
  } catch {
    return undefined;
  }
}

export function writeRecord<S>(component: string, running: Running<S>): ComponentRecord<S> {
  const record: ComponentRecord<S> = { component, startedAt: new Date().toISOString(), ...running };
  writeJsonAtomic(recordFile(component), record);
  return record;
}

export function removeRecord(component: string): void {
  rmSync(recordFile(component), { force: true });
}

/** Readers (other test processes) never see a half-written file: write a sibling, then rename. */
export function writeJsonAtomic(file: string, value: unknown): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n');
  renameSync(tmp, file);
}
