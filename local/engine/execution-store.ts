/**
 * Execution records of the local runtime, one JSON file per execution under `<dataDir>/executions`:
 * status, input, output or error, and the full event history. They outlive a restart, which is how
 * an execution cut off by a crash is found and run again, and how the console shows old histories.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { notAJsonObject, quarantine } from '../fs/quarantine';
import type { EventLog } from './local-state-machine';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface ExecutionRecord {
  name: string;
  executionArn: string;
  status: ExecutionStatus;
  /** The image the execution is about, for listing (`bucket/key`). */
  imageId?: string;
  input: unknown;
  output?: unknown;
  error?: string;
  cause?: string;
  startedAt: string;
  stoppedAt?: string;
  /** How many times a Task state was retried. */
  retries: number;
  events: EventLog[];
  /** Set when this record was started again after a restart found it RUNNING. */
  resumedAt?: string;
}

export class ExecutionStore {
  private readonly directory: string;

  constructor(dataDir: string) {
    this.directory = join(dataDir, 'executions');
    mkdirSync(this.directory, { recursive: true });
  }

  save(record: ExecutionRecord): void {
    const file = join(this.directory, `${record.name}.json`);
    writeFileSync(`${file}.tmp`, JSON.stringify(record));
    renameSync(`${file}.tmp`, file);
  }

  get(name: string): ExecutionRecord | undefined {
    const file = join(this.directory, `${name}.json`);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
    // save() never leaves a half-written record (write, then rename), but a full disk or a copy gone
    // wrong can: move it aside with a warning rather than fail, or hide it, on every read.
    const problem = notAJsonObject(text) ?? notARecord(JSON.parse(text) as Record<string, unknown>);
    if (problem === undefined) return JSON.parse(text) as ExecutionRecord;
    quarantine(file, problem);
    return undefined;
  }

  /** Every record, newest first. */
  list(): ExecutionRecord[] {
    return readdirSync(this.directory)
      .filter((file) => file.endsWith('.json'))
      .map((file) => this.get(file.slice(0, -'.json'.length)))
      .filter((record): record is ExecutionRecord => record !== undefined)
      .sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  }
}

function notARecord(value: Record<string, unknown>): string | undefined {
  if (typeof value.name !== 'string' || typeof value.status !== 'string' || typeof value.startedAt !== 'string') return 'no name, status or startedAt';
  return undefined;
}
