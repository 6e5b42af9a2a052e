/**
 * The object index: every bucket, object, multipart upload, part and blob reference count, in one
 * LevelDB (classic-level). Keys are byte strings, so objects list in S3's order (UTF-8 binary) and a
 * batch of changes is one atomic, fsynced write: the single commit point of every request.
 */
import { ClassicLevel } from 'classic-level';

/** One stored object version (the current one: the store keeps no history). */
export interface ObjectRecord {
  /** The body's blob (sha256). */
  blob: string;
  size: number;
  /** Bare ETag: hex MD5, or `md5-of-md5s-N` for a multipart upload. */
  etag: string;
  lastModified: string;
  /** The sequencer assigned at its commit (16 hex digits, increasing in commit order). */
  sequencer: string;
  /** Content-Type, Cache-Control, Content-Disposition, Content-Encoding, Content-Language, Expires. */
  headers: Record<string, string>;
  /** User metadata (`x-amz-meta-*`), names lower-case without the prefix. */
  metadata: Record<string, string>;
}

export interface UploadRecord {
  bucket: string;
  key: string;
  initiated: string;
  headers: Record<string, string>;
  metadata: Record<string, string>;
}

export interface PartRecord {
  partNumber: number;
  blob: string;
  size: number;
  etag: string;
  lastModified: string;
}

export type ListEntry = { key: string; record: ObjectRecord } | { commonPrefix: string };

export interface ListPage {
  entries: ListEntry[];
  truncated: boolean;
  /** Where the next page starts (exclusive): the last key, or past everything under the last common prefix. */
  resumeAfter?: Buffer;
}

/** A batch operation: `value` undefined deletes. */
export interface IndexChange {
  key: Buffer;
  value?: unknown;
}

const SEP = Buffer.from([0]);
/** No UTF-8 string contains the byte 0xFF: `x + 0xFF` sorts after every key starting with x. */
const HIGH = Buffer.from([0xff]);

export const indexKeys = {
  bucket: (bucket: string) => Buffer.concat([Buffer.from('B'), Buffer.from(bucket, 'utf8')]),
  bucketRange: () => ({ gt: Buffer.from('B'), lt: Buffer.from('C') }),
  objectBase: (bucket: string) => Buffer.concat([Buffer.from('O'), Buffer.from(bucket, 'utf8'), SEP]),
  object: (bucket: string, key: string) => Buffer.concat([indexKeys.objectBase(bucket), Buffer.from(key, 'utf8')]),
  upload: (uploadId: string) => Buffer.from(`U${uploadId}`),
  part: (uploadId: string, partNumber: number) => Buffer.from(`P${uploadId}\0${String(partNumber).padStart(5, '0')}`),
  partRange: (uploadId: string) => ({ gt: Buffer.from(`P${uploadId}\0`), lt: Buffer.from(`P${uploadId}\u0001`) }),
  refcount: (blob: string) => Buffer.from(`R${blob}`),
  refcountRange: () => ({ gt: Buffer.from('R'), lt: Buffer.from('S') }),
  meta: (name: string) => Buffer.from(`M${name}`),
};

export class ObjectIndex {
  private constructor(private readonly db: ClassicLevel<Buffer, unknown>) {}

  static async open(location: string): Promise<ObjectIndex> {
    const db = new ClassicLevel<Buffer, unknown>(location, { keyEncoding: 'buffer', valueEncoding: 'json' });
    await db.open();
    return new ObjectIndex(db);
  }

  async get<T>(key: Buffer): Promise<T | undefined> {
    return (await this.db.get(key)) as T | undefined;
  }

  /** Applies every change at once, fsynced: after this resolves the change survives a crash. */
  async commit(changes: IndexChange[]): Promise<void> {
    await this.db.batch(
      changes.map((c) =>
        c.value === undefined ? { type: 'del' as const, key: c.key } : { type: 'put' as const, key: c.key, value: c.value },
      ),
      { sync: true },
    );
  }

  async entries<T>(range: { gt: Buffer; lt: Buffer }): Promise<[Buffer, T][]> {
    return (await this.db.iterator(range).all()) as [Buffer, T][];
  }

  /**
   * One page of a bucket's objects in key order: keys under `prefix`, after `after` (exclusive),
   * with keys sharing a `delimiter`-ended prefix rolled into one common prefix (which counts as one).
   */
  async list(bucket: string, options: { prefix: string; delimiter: string; after?: Buffer; maxKeys: number }): Promise<ListPage> {
    const { prefix, delimiter, maxKeys } = options;
    const base = indexKeys.objectBase(bucket);
    const lower = Buffer.concat([base, Buffer.from(prefix, 'utf8')]);
    const upper = Buffer.concat([lower, HIGH]);
    const after = options.after ? Buffer.concat([base, options.after]) : undefined;
    const range = after && Buffer.compare(after, lower) >= 0 ? { gt: after, lt: upper } : { gte: lower, lt: upper };
    const iterator = this.db.iterator(range);
    const entries: ListEntry[] = [];
    let resumeAfter: Buffer | undefined;
    try {
      for (;;) {
        const next = await iterator.next();
        if (!next) return { entries, truncated: false };
        if (entries.length === maxKeys) return { entries, truncated: true, resumeAfter };
        const key = next[0].subarray(base.length).toString('utf8');
        const cut = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
        if (cut >= 0) {
          const commonPrefix = key.slice(0, cut + delimiter.length);
          entries.push({ commonPrefix });
          resumeAfter = Buffer.concat([Buffer.from(commonPrefix, 'utf8'), HIGH]);
          iterator.seek(Buffer.concat([base, resumeAfter]));
        } else {
          entries.push({ key, record: next[1] as ObjectRecord });
          resumeAfter = Buffer.from(key, 'utf8');
        }
      }
    } finally {
      await iterator.close();
    }
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
