/**
 * Execution records of the local runtime, one JSON file per execution under `<dataDir>/executions`:
 * status, input, output or error, and the full event history. They outlive a restart, which is how
 * an execution cut off by a crash is found and run again, and how the console shows old histories.
 * Lists come from the executions index (execution-index.ts), kept in step on every save; a record file
 * is read only when that one execution is asked for.
 */
import {
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeSync,
  type BigIntStats,
} from 'node:fs';
import { join } from 'node:path';
import { ExecutionIndex, summaryOf, type ExecutionPage, type ExecutionQuery, type FileStamp, type RecordSummary } from './execution-index';
import { notAJsonObject, quarantine } from '../fs/quarantine';
import type { EventLog } from './local-state-machine';

import type { ExecutionStatus } from './execution-status';

export type { ExecutionStatus };
export type { ExecutionPage, ExecutionQuery, RecordSummary } from './execution-index';
export { InvalidCursorError } from './execution-index';

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
  /**
   * When its last run left the runner's queue (its ExecutionStarted event): `startedAt` is when it was
   * routed, and an execution may wait for a free slot in between. Durations count from here.
   */
  runStartedAt?: string;
}

/** Main-thread time the start-up indexing takes before it lets other work run. */
const SLICE_MS = 8;

export class ExecutionStore {
  private readonly directory: string;
  private readonly indexLocation: string;
  private opening: Promise<ExecutionIndex> | undefined;
  /** Index writes, one after the other in save order (each file is written before its entry). */
  private writes: Promise<void> = Promise.resolve();
  /** An index write failed: the next start must check the index against the files. */
  private indexStale = false;
  private closing: Promise<void> | undefined;

  constructor(dataDir: string) {
    this.directory = join(dataDir, 'executions');
    this.indexLocation = join(dataDir, 'executions-index');
    mkdirSync(this.directory, { recursive: true });
  }

  /**
   * Opens the index and brings it in step with the record files: nothing to do after a clean close; a
   * listing and a stat per file after a crash; every file read once for a data dir that has none yet,
   * in slices that let the endpoints answer in between. Called by the first list or save if not before.
   */
  open(): Promise<ExecutionIndex> {
    this.opening ??= (async () => {
      const index = await ExecutionIndex.open(this.indexLocation);
      const clean = await index.cleanMark();
      // From here until a clean close, a crash may leave files newer than their entries.
      await index.setCleanMark(undefined);
      if (clean === undefined || clean !== this.directoryStamp()) await this.reconcile(index);
      return index;
    })();
    return this.opening;
  }

  /** Writes the record file (synchronously: it is the commit point), then its index entry. */
  save(record: ExecutionRecord): void {
    const file = this.fileOf(record.name);
    const fd = openSync(`${file}.tmp`, 'w');
    let stamp: FileStamp;
    try {
      writeSync(fd, JSON.stringify(record));
      stamp = stampOf(fstatSync(fd, { bigint: true }));
    } finally {
      closeSync(fd);
    }
    renameSync(`${file}.tmp`, file);
    const summary = summaryOf(record); // as it is now: the runner goes on changing the record
    const opened = this.open();
    this.writes = this.writes
      .then(() => opened)
      .then((index) => index.put([{ summary, stamp }]))
      .catch((error: unknown) => {
        this.indexStale = true;
        console.error(`picflow: the executions index missed ${record.name}: ${(error as Error).message}`);
      });
  }

  /** The full record (with its events), read from its file. */
  get(name: string): ExecutionRecord | undefined {
    return readRecordFile(this.fileOf(name));
  }

  /** One page of summaries, newest first (see ExecutionQuery). */
  async page(query: ExecutionQuery = {}): Promise<ExecutionPage> {
    const index = await this.open();
    await this.writes;
    return index.page(query);
  }

  /** Every matching summary, newest first. */
  async list(query: Omit<ExecutionQuery, 'limit' | 'cursor'> = {}): Promise<RecordSummary[]> {
    const index = await this.open();
    await this.writes;
    return index.all(query);
  }

  /** Waits for pending index writes and closes the index, marking it in step with the files. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.writes;
      if (!this.opening) return;
      const index = await this.opening;
      if (!this.indexStale) await index.setCleanMark(this.directoryStamp());
      await index.close();
    })();
    return this.closing;
  }

  private fileOf(name: string): string {
    return join(this.directory, `${name}.json`);
  }

  /** Changes whenever a file in the directory is created, replaced or removed. */
  private directoryStamp(): string {
    const stats = statSync(this.directory, { bigint: true });
    return `${stats.mtimeNs}:${stats.ctimeNs}`;
  }

  /**
   * Indexes files the index lacks or has from another version of the file (a stat, no read, tells
   * which), and forgets entries whose file is gone. Reads run in time slices of SLICE_MS.
   */
  private async reconcile(index: ExecutionIndex): Promise<void> {
    const known = await index.stamps();
    const names = readdirSync(this.directory)
      .filter((file) => file.endsWith('.json'))
      .map((file) => file.slice(0, -'.json'.length));
    const onDisk = new Set(names);
    await index.remove([...known.keys()].filter((name) => !onDisk.has(name)));
    let batch: { summary: RecordSummary; stamp: FileStamp }[] = [];
    let sliceStart = performance.now();
    for (const name of names) {
      const file = this.fileOf(name);
      let stamp: FileStamp;
      try {
        stamp = stampOf(statSync(file, { bigint: true }));
      } catch {
        continue; // gone since the listing
      }
      if (known.get(name) !== stamp) {
        const record = readRecordFile(file);
        if (record) batch.push({ summary: record, stamp });
        else if (known.has(name)) await index.remove([name]);
      }
      if (performance.now() - sliceStart >= SLICE_MS) {
        await index.put(batch);
        batch = [];
        await new Promise((resolve) => setImmediate(resolve));
        sliceStart = performance.now();
      }
    }
    await index.put(batch);
  }
}

/**
 * Reads one record file: the only place a record file is parsed (get and the start-up indexing).
 * Undefined when the file is missing or not a record.
 */
export function readRecordFile(file: string): ExecutionRecord | undefined {
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

function stampOf(stats: BigIntStats): FileStamp {
  return `${stats.ino}:${stats.size}:${stats.mtimeNs}`;
}

function notARecord(value: Record<string, unknown>): string | undefined {
  if (typeof value.name !== 'string' || typeof value.status !== 'string' || typeof value.startedAt !== 'string')
    return 'no name, status or startedAt';
  return undefined;
}
