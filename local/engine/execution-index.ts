/**
 * The executions index: one short summary per execution in a LevelDB (classic-level), keyed by start
 * time three ways (all, per status, per image), so "newest first, this page" is one range read and a
 * record's full history is only read from its file when that one execution is opened.
 */
import { rmSync } from 'node:fs';
import { ClassicLevel } from 'classic-level';
import type { ExecutionStatus } from './execution-store';

/** What the list shows of an execution: its record without input, output and events. */
export interface RecordSummary {
  name: string;
  executionArn: string;
  status: ExecutionStatus;
  imageId?: string;
  startedAt: string;
  stoppedAt?: string;
  resumedAt?: string;
  /** When the last run left the queue (ExecutionRecord.runStartedAt). */
  runStartedAt?: string;
  retries: number;
  error?: string;
  /** At most CAUSE_CHARS characters; the full cause is in the record. */
  cause?: string;
}

/**
 * Identifies the version of a record file the summary was made from (inode, size, mtime): a file
 * rewritten after its summary (a crash between the two writes) no longer matches.
 */
export type FileStamp = string;

export interface ExecutionQuery {
  /** Any of these statuses. @default all */
  statuses?: readonly ExecutionStatus[];
  /** Exactly this `bucket/key`. */
  imageId?: string;
  /** Started at or after this instant (ISO 8601). */
  since?: string;
  /** @default DEFAULT_PAGE_SIZE, at most MAX_PAGE_SIZE */
  limit?: number;
  /** nextCursor of the previous page. */
  cursor?: string;
}

export interface ExecutionPage {
  executions: RecordSummary[];
  /** Present when older executions match: pass it as `cursor` for the next page. */
  nextCursor?: string;
}

export class InvalidCursorError extends Error {
  constructor() {
    super('not a cursor of this list');
  }
}

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;
const CAUSE_CHARS = 300;

interface NameEntry {
  startedAt: string;
  status: ExecutionStatus;
  imageId?: string;
  stamp: FileStamp;
}

// Keys are UTF-8 strings in byte order. NUL separates fields (no execution name, status, ISO date or
// S3 key contains it); an ISO date starts with a digit, so `prefix + '~'` is above every entry.
const SEP = '\u0000';
const TOP = '~';
const prefixes = {
  all: `T${SEP}`,
  status: (status: ExecutionStatus) => `S${SEP}${status}${SEP}`,
  image: (imageId: string) => `I${SEP}${imageId}${SEP}`,
  name: `N${SEP}`,
};
const sortKey = (s: { startedAt: string; name: string }) => `${s.startedAt}${SEP}${s.name}`;
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL separates the cursor's two parts: it can occur in neither
const CURSOR = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z\u0000[A-Za-z0-9_-]{1,80}$/;
const META_CLEAN = `M${SEP}clean`;

/** The summary of a record (or of a summary): fields for the list only, the cause shortened. */
export function summaryOf(record: RecordSummary): RecordSummary {
  const { name, executionArn, status, imageId, startedAt, stoppedAt, resumedAt, runStartedAt, retries, error, cause } = record;
  return {
    name,
    executionArn,
    status,
    imageId,
    startedAt,
    stoppedAt,
    resumedAt,
    runStartedAt,
    retries,
    error,
    cause: cause && cause.length > CAUSE_CHARS ? `${cause.slice(0, CAUSE_CHARS - 1)}…` : cause,
  };
}

function keysOf(entry: { name: string; startedAt: string; status: ExecutionStatus; imageId?: string }): string[] {
  const at = sortKey(entry);
  const keys = [prefixes.all + at, prefixes.status(entry.status) + at];
  if (entry.imageId !== undefined) keys.push(prefixes.image(entry.imageId) + at);
  return keys;
}

type Operation = { type: 'put'; key: string; value: unknown } | { type: 'del'; key: string };

export class ExecutionIndex {
  private constructor(private readonly db: ClassicLevel<string, unknown>) {}

  /** Opens (or creates) the index at `location`; an index LevelDB cannot open is dropped and rebuilt from the files. */
  static async open(location: string): Promise<ExecutionIndex> {
    const db = new ClassicLevel<string, unknown>(location, { keyEncoding: 'utf8', valueEncoding: 'json' });
    try {
      await db.open();
    } catch (error) {
      // Locked means another process uses this data dir: never throw its index away.
      if ((error as { cause?: { code?: string } }).cause?.code === 'LEVEL_LOCKED') throw error;
      const reason = (error as { cause?: Error }).cause?.message ?? (error as Error).message;
      console.warn(`picflow: the executions index at ${location} cannot be opened (${reason}); rebuilding it from the record files`);
      await db.close().catch(() => undefined);
      rmSync(location, { recursive: true, force: true });
      const fresh = new ClassicLevel<string, unknown>(location, { keyEncoding: 'utf8', valueEncoding: 'json' });
      await fresh.open();
      return new ExecutionIndex(fresh);
    }
    return new ExecutionIndex(db);
  }

  /** Writes these summaries (new or replacing older ones) in one atomic batch. */
  async put(items: readonly { summary: RecordSummary; stamp: FileStamp }[]): Promise<void> {
    if (items.length === 0) return;
    const previous = await this.db.getMany(items.map((i) => prefixes.name + i.summary.name));
    const operations: Operation[] = [];
    items.forEach(({ summary, stamp }, i) => {
      const old = previous[i] as NameEntry | undefined;
      const keys = keysOf(summary);
      if (old) for (const key of keysOf({ ...old, name: summary.name })) if (!keys.includes(key)) operations.push({ type: 'del', key });
      const value = summaryOf(summary);
      for (const key of keys) operations.push({ type: 'put', key, value });
      const entry: NameEntry = { startedAt: summary.startedAt, status: summary.status, imageId: summary.imageId, stamp };
      operations.push({ type: 'put', key: prefixes.name + summary.name, value: entry });
    });
    await this.db.batch(operations);
  }

  /** Forgets these executions (their files are gone). */
  async remove(names: readonly string[]): Promise<void> {
    if (names.length === 0) return;
    const previous = await this.db.getMany(names.map((name) => prefixes.name + name));
    const operations: Operation[] = [];
    names.forEach((name, i) => {
      const old = previous[i] as NameEntry | undefined;
      if (!old) return;
      for (const key of keysOf({ ...old, name })) operations.push({ type: 'del', key });
      operations.push({ type: 'del', key: prefixes.name + name });
    });
    await this.db.batch(operations);
  }

  /** Every indexed execution's name and the stamp of the file its summary came from. */
  async stamps(): Promise<Map<string, FileStamp>> {
    const stamps = new Map<string, FileStamp>();
    for await (const [key, value] of this.db.iterator({ gt: prefixes.name, lt: prefixes.name + TOP })) {
      stamps.set(key.slice(prefixes.name.length), (value as NameEntry).stamp);
    }
    return stamps;
  }

  /** One page, newest first. Throws InvalidCursorError for a cursor this index did not make. */
  async page(query: ExecutionQuery = {}): Promise<ExecutionPage> {
    const limit = Math.min(Math.max(1, Math.floor(query.limit ?? DEFAULT_PAGE_SIZE)), MAX_PAGE_SIZE);
    const rows = await this.scan(query, limit + 1);
    const executions = rows.slice(0, limit);
    return {
      executions,
      nextCursor: rows.length > limit ? Buffer.from(sortKey(executions[executions.length - 1]), 'utf8').toString('base64url') : undefined,
    };
  }

  /** Every match, newest first. */
  all(query: Omit<ExecutionQuery, 'limit' | 'cursor'> = {}): Promise<RecordSummary[]> {
    return this.scan(query, Infinity);
  }

  /**
   * Reads the smallest set of ranges that holds the matches: one image's range, one range per status,
   * or the whole time order; each below the cursor and at or above `since`; merged newest first.
   */
  private async scan(query: ExecutionQuery, limit: number): Promise<RecordSummary[]> {
    const below = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const since = query.since === undefined ? undefined : new Date(query.since).toISOString();
    const statuses = query.statuses && query.statuses.length > 0 ? new Set(query.statuses) : undefined;
    const matches = (s: RecordSummary): boolean =>
      (!statuses || statuses.has(s.status)) && (query.imageId === undefined || s.imageId === query.imageId);
    const ranges =
      query.imageId !== undefined ? [prefixes.image(query.imageId)] : statuses ? [...statuses].map(prefixes.status) : [prefixes.all];
    const found: RecordSummary[] = [];
    for (const prefix of ranges) {
      let taken = 0;
      const iterator = this.db.iterator({ reverse: true, lt: prefix + (below ?? TOP), gte: prefix + (since ?? '') });
      try {
        for await (const [, value] of iterator) {
          const summary = value as RecordSummary;
          if (!matches(summary)) continue;
          found.push(summary);
          if (++taken >= limit) break;
        }
      } finally {
        await iterator.close();
      }
    }
    if (ranges.length > 1) found.sort((a, b) => (sortKey(a) < sortKey(b) ? 1 : -1));
    return found.length > limit ? found.slice(0, limit) : found;
  }

  /** Whether the last close was clean, and the record directory's stamp then. */
  async cleanMark(): Promise<string | undefined> {
    return (await this.db.get(META_CLEAN)) as string | undefined;
  }

  async setCleanMark(stamp: string | undefined): Promise<void> {
    if (stamp === undefined) await this.db.del(META_CLEAN);
    else await this.db.put(META_CLEAN, stamp);
  }

  close(): Promise<void> {
    return this.db.close();
  }
}

function decodeCursor(cursor: string): string {
  const key = /^[A-Za-z0-9_-]{1,200}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  if (!CURSOR.test(key)) throw new InvalidCursorError();
  return key;
}
