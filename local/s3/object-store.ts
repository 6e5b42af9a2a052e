/**
 * The object store's semantics over the index and the blobs: PUT, copy, delete and multipart
 * upload, each ending in ONE index batch (the commit point). Bodies are staged and fsynced before;
 * commits run one at a time, in order, so each key's versions and sequencers follow commit order,
 * and a crash leaves either the old or the new version, never a mix.
 */
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { BlobStore, type StagedBlob } from './blob-store';
import {
  indexKeys,
  ObjectIndex,
  type IndexChange,
  type ListPage,
  type ObjectRecord,
  type PartRecord,
  type UploadRecord,
} from './object-index';
import { s3Errors } from './s3-errors';

export type CreatedReason = 'PutObject' | 'CopyObject' | 'PostObject' | 'CompleteMultipartUpload';

export interface ObjectAttributes {
  headers: Record<string, string>;
  metadata: Record<string, string>;
}

/** Conditions checked at the commit point (conditional writes). */
export interface WriteConditions {
  ifMatch?: string;
  ifNoneMatch?: string;
}

export interface CommittedObject {
  bucket: string;
  key: string;
  record: ObjectRecord;
  reason: CreatedReason;
  sourceIp?: string;
}

/** An object removed by a delete, with the sequencer its delete was given (after every write of the key before it). */
export interface DeletedObject {
  bucket: string;
  key: string;
  sequencer: string;
  eventTime: string;
  sourceIp?: string;
}

/** S3's minimum size for every part but the last. */
export const MIN_PART_BYTES = 5 * 1024 * 1024;

export class ObjectStore {
  /** The tail of the commit queue: every commit waits for the one before it. */
  private queue: Promise<unknown> = Promise.resolve();
  private lastSequencer = 0n;
  /** Published blobs whose commit is still to come (see publish()). */
  private readonly pinned = new Map<string, number>();
  private readonly committedListeners: ((object: CommittedObject) => void)[] = [];
  private readonly deletedListeners: ((object: DeletedObject) => void)[] = [];

  private constructor(
    readonly blobs: BlobStore,
    private readonly index: ObjectIndex,
  ) {}

  static async open(directory: string): Promise<ObjectStore> {
    const blobs = new BlobStore(directory);
    const index = await ObjectIndex.open(join(directory, 'index'));
    const store = new ObjectStore(blobs, index);
    store.lastSequencer = BigInt(`0x${(await index.get<string>(indexKeys.meta('sequencer'))) ?? '0'}`);
    await store.sweepUnreferencedBlobs();
    return store;
  }

  /** Called after each object-creating commit, in commit order. */
  onCommitted(listener: (object: CommittedObject) => void): void {
    this.committedListeners.push(listener);
  }

  /** Called after each delete that removed an object, in commit order (a delete of a missing key removes nothing and tells nobody). */
  onDeleted(listener: (object: DeletedObject) => void): void {
    this.deletedListeners.push(listener);
  }

  // Buckets

  async createBucket(bucket: string): Promise<void> {
    if (await this.bucketExists(bucket)) return;
    await this.serial(() => this.index.commit([{ key: indexKeys.bucket(bucket), value: { created: new Date().toISOString() } }]));
  }

  async bucketExists(bucket: string): Promise<boolean> {
    return (await this.index.get(indexKeys.bucket(bucket))) !== undefined;
  }

  async requireBucket(bucket: string): Promise<void> {
    if (!(await this.bucketExists(bucket))) throw s3Errors.noSuchBucket(bucket);
  }

  async listBuckets(): Promise<{ name: string; created: string }[]> {
    const entries = await this.index.entries<{ created: string }>(indexKeys.bucketRange());
    return entries.map(([key, value]) => ({ name: key.subarray(1).toString('utf8'), created: value.created }));
  }

  async deleteBucket(bucket: string): Promise<void> {
    await this.requireBucket(bucket);
    const page = await this.index.list(bucket, { prefix: '', delimiter: '', maxKeys: 1 });
    if (page.entries.length > 0) throw s3Errors.bucketNotEmpty(bucket);
    await this.serial(() => this.index.commit([{ key: indexKeys.bucket(bucket) }]));
  }

  // Objects

  async head(bucket: string, key: string): Promise<ObjectRecord | undefined> {
    return this.index.get<ObjectRecord>(indexKeys.object(bucket, key));
  }

  list(bucket: string, options: { prefix: string; delimiter: string; after?: Buffer; maxKeys: number }): Promise<ListPage> {
    return this.index.list(bucket, options);
  }

  stage(body: Readable, maxBytes: number): Promise<StagedBlob> {
    return this.blobs.stage(body, maxBytes);
  }

  /** Makes a staged body the current version of `bucket/key` (the staged file is consumed either way). */
  async putObject(
    bucket: string,
    key: string,
    staged: StagedBlob,
    attributes: ObjectAttributes,
    options: { conditions?: WriteConditions; reason?: CreatedReason; etag?: string; emit?: boolean; sourceIp?: string } = {},
  ): Promise<ObjectRecord> {
    return this.commitPublished(staged, async () => {
      await this.requireBucket(bucket);
      checkWriteConditions(await this.head(bucket, key), options.conditions);
      const record = this.newRecord(staged.id, staged.size, options.etag ?? staged.md5, attributes);
      await this.commitObject(
        bucket,
        key,
        record,
        [],
        options.emit === false ? undefined : (options.reason ?? 'PutObject'),
        options.sourceIp,
      );
      return record;
    });
  }

  /** A copy shares the source's blob: no bytes move, the new version is committed like a PUT. */
  async copyObject(
    source: { bucket: string; key: string; conditions?: WriteConditions },
    bucket: string,
    key: string,
    attributes?: ObjectAttributes,
    origin: { sourceIp?: string } = {},
  ): Promise<ObjectRecord> {
    return this.serial(async () => {
      await this.requireBucket(source.bucket);
      await this.requireBucket(bucket);
      const from = await this.head(source.bucket, source.key);
      if (!from) throw s3Errors.noSuchKey(source.key);
      checkReadConditions(from, source.conditions);
      const record = this.newRecord(from.blob, from.size, from.etag, attributes ?? { headers: from.headers, metadata: from.metadata });
      await this.commitObject(bucket, key, record, [], 'CopyObject', origin.sourceIp);
      return record;
    });
  }

  async deleteObject(bucket: string, key: string, origin: { sourceIp?: string } = {}): Promise<void> {
    await this.serial(async () => {
      await this.requireBucket(bucket);
      const current = await this.head(bucket, key);
      if (!current) return;
      // The delete takes a sequencer from the same counter as the writes: a clean-up compares it with the
      // sequencer of the write the image's item describes (S3 orders a key's writes and deletes the same way).
      const sequencer = this.nextSequencer();
      await this.commitWithRefs(
        [{ key: indexKeys.object(bucket, key) }, { key: indexKeys.meta('sequencer'), value: sequencer }],
        new Map([[current.blob, -1]]),
      );
      const deleted: DeletedObject = { bucket, key, sequencer, eventTime: new Date().toISOString(), sourceIp: origin.sourceIp };
      for (const listener of this.deletedListeners) {
        try {
          listener(deleted);
        } catch {
          // A listener's failure is its own: the object is deleted and the request succeeds.
        }
      }
    });
  }

  // Multipart uploads

  async createUpload(bucket: string, key: string, attributes: ObjectAttributes): Promise<string> {
    await this.requireBucket(bucket);
    const uploadId = randomBytes(16).toString('hex');
    const upload: UploadRecord = { bucket, key, initiated: new Date().toISOString(), ...attributes };
    await this.serial(() => this.index.commit([{ key: indexKeys.upload(uploadId), value: upload }]));
    return uploadId;
  }

  async getUpload(uploadId: string, bucket: string, key: string): Promise<UploadRecord> {
    const upload = /^[0-9a-f]{32}$/.test(uploadId) ? await this.index.get<UploadRecord>(indexKeys.upload(uploadId)) : undefined;
    if (!upload || upload.bucket !== bucket || upload.key !== key) throw s3Errors.noSuchUpload(uploadId);
    return upload;
  }

  async putPart(uploadId: string, bucket: string, key: string, partNumber: number, staged: StagedBlob): Promise<PartRecord> {
    return this.commitPublished(staged, async () => {
      await this.getUpload(uploadId, bucket, key);
      const part: PartRecord = { partNumber, blob: staged.id, size: staged.size, etag: staged.md5, lastModified: new Date().toISOString() };
      const previous = await this.index.get<PartRecord>(indexKeys.part(uploadId, partNumber));
      const refs = new Map<string, number>();
      addRef(refs, staged.id, 1);
      if (previous) addRef(refs, previous.blob, -1);
      await this.commitWithRefs([{ key: indexKeys.part(uploadId, partNumber), value: part }], refs);
      return part;
    });
  }

  async listParts(uploadId: string): Promise<PartRecord[]> {
    return (await this.index.entries<PartRecord>(indexKeys.partRange(uploadId))).map(([, part]) => part);
  }

  /**
   * Joins the listed parts into one blob (outside the commit queue: it is the slow part), then commits
   * the object and forgets the upload in one batch. ETag: MD5 of the parts' binary MD5s, `-N`.
   */
  async completeUpload(
    uploadId: string,
    bucket: string,
    key: string,
    requested: { partNumber: number; etag: string }[],
    maxBytes: number,
    origin: { sourceIp?: string } = {},
  ): Promise<ObjectRecord> {
    const upload = await this.getUpload(uploadId, bucket, key);
    const stored = new Map((await this.listParts(uploadId)).map((part) => [part.partNumber, part]));
    if (requested.length === 0) throw s3Errors.malformedXml();
    const parts = requested.map((wanted, i) => {
      if (i > 0 && wanted.partNumber <= requested[i - 1].partNumber) throw s3Errors.invalidPartOrder();
      const part = stored.get(wanted.partNumber);
      if (!part || part.etag !== wanted.etag.replace(/"/g, '')) throw s3Errors.invalidPart();
      return part;
    });
    if (parts.slice(0, -1).some((part) => part.size < MIN_PART_BYTES)) throw s3Errors.entityTooSmall();
    const total = parts.reduce((sum, part) => sum + part.size, 0);
    if (total > maxBytes) throw s3Errors.entityTooLarge(maxBytes);
    const etag = `${createHash('md5')
      .update(Buffer.concat(parts.map((part) => Buffer.from(part.etag, 'hex'))))
      .digest('hex')}-${parts.length}`;
    const staged = await this.blobs.stage(this.concatenate(parts.map((part) => part.blob)), maxBytes);
    return this.commitPublished(staged, async () => {
      // The upload may have been completed or aborted meanwhile, or a part replaced: then this one loses.
      const now = new Map((await this.listParts(uploadId)).map((part) => [part.partNumber, part]));
      const unchanged =
        (await this.index.get(indexKeys.upload(uploadId))) !== undefined && parts.every((p) => now.get(p.partNumber)?.blob === p.blob);
      if (!unchanged) throw s3Errors.noSuchUpload(uploadId);
      await this.requireBucket(bucket);
      const record = this.newRecord(staged.id, staged.size, etag, { headers: upload.headers, metadata: upload.metadata });
      const forget: IndexChange[] = [
        { key: indexKeys.upload(uploadId) },
        ...[...now.values()].map((p) => ({ key: indexKeys.part(uploadId, p.partNumber) })),
      ];
      await this.commitObject(
        bucket,
        key,
        record,
        forget,
        'CompleteMultipartUpload',
        origin.sourceIp,
        [...now.values()].map((p) => p.blob),
      );
      return record;
    });
  }

  async abortUpload(uploadId: string, bucket: string, key: string): Promise<void> {
    await this.serial(async () => {
      await this.getUpload(uploadId, bucket, key);
      const parts = await this.listParts(uploadId);
      const refs = new Map<string, number>();
      for (const part of parts) addRef(refs, part.blob, -1);
      await this.commitWithRefs(
        [{ key: indexKeys.upload(uploadId) }, ...parts.map((p) => ({ key: indexKeys.part(uploadId, p.partNumber) }))],
        refs,
      );
    });
  }

  async close(): Promise<void> {
    await this.queue.catch(() => undefined);
    await this.index.close();
  }

  // Commit machinery

  /**
   * Publishes a staged body (durable rename) before its commit, outside the queue so renames and
   * fsyncs of concurrent writes overlap. Until its commit is done the blob is pinned: a commit that
   * releases the last reference to the same content does not remove the file under it.
   */
  private async publish(staged: StagedBlob): Promise<void> {
    this.pinned.set(staged.id, (this.pinned.get(staged.id) ?? 0) + 1);
    try {
      await this.blobs.publish(staged);
    } catch (error) {
      this.unpin(staged.id);
      await this.blobs.discard(staged);
      throw error;
    }
  }

  private unpin(blob: string): void {
    const count = (this.pinned.get(blob) ?? 0) - 1;
    if (count > 0) this.pinned.set(blob, count);
    else this.pinned.delete(blob);
  }

  /** Publishes `staged`, then runs `work` (which commits a reference to it) in the queue. */
  private async commitPublished<T>(staged: StagedBlob, work: () => Promise<T>): Promise<T> {
    await this.publish(staged);
    let result: T;
    try {
      result = await this.serial(work);
    } catch (error) {
      this.unpin(staged.id);
      await this.releaseIfUnused(staged.id);
      throw error;
    }
    this.unpin(staged.id);
    return result;
  }

  /** After a failed commit: its freshly published blob goes, unless something refers to it. */
  private releaseIfUnused(blob: string): Promise<void> {
    return this.serial(async () => {
      if (this.pinned.has(blob) || (await this.index.get(indexKeys.refcount(blob))) !== undefined) return;
      await this.blobs.remove(blob);
    });
  }

  /** Runs `work` after every commit queued before it. */
  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private newRecord(blob: string, size: number, etag: string, attributes: ObjectAttributes): ObjectRecord {
    return {
      blob,
      size,
      etag,
      lastModified: new Date().toISOString(),
      sequencer: '',
      headers: attributes.headers,
      metadata: attributes.metadata,
    };
  }

  /** Inside the queue: the next sequencer, strictly increasing in commit order (16 hex digits, from the clock in µs). */
  private nextSequencer(): string {
    const now = BigInt(Date.now()) * 1000n;
    this.lastSequencer = now > this.lastSequencer ? now : this.lastSequencer + 1n;
    return this.lastSequencer.toString(16).toUpperCase().padStart(16, '0');
  }

  /** Inside the queue: the object, its sequencer and the blob references in one batch; then the event. */
  private async commitObject(
    bucket: string,
    key: string,
    record: ObjectRecord,
    extra: IndexChange[],
    reason: CreatedReason | undefined,
    sourceIp?: string,
    releasedBlobs: string[] = [],
  ): Promise<void> {
    const current = await this.head(bucket, key);
    const refs = new Map<string, number>();
    addRef(refs, record.blob, 1);
    if (current) addRef(refs, current.blob, -1);
    for (const blob of releasedBlobs) addRef(refs, blob, -1);
    record.sequencer = this.nextSequencer();
    await this.commitWithRefs(
      [{ key: indexKeys.object(bucket, key), value: record }, { key: indexKeys.meta('sequencer'), value: record.sequencer }, ...extra],
      refs,
    );
    if (!reason) return;
    for (const listener of this.committedListeners) {
      try {
        listener({ bucket, key, record, reason, sourceIp });
      } catch {
        // A listener's failure is its own: the object is committed and the request succeeds.
      }
    }
  }

  /** Inside the queue: applies `changes` plus the reference counts; removes blobs nothing refers to any more. */
  private async commitWithRefs(changes: IndexChange[], refs: Map<string, number>): Promise<void> {
    const released: string[] = [];
    const all = [...changes];
    for (const [blob, delta] of refs) {
      if (delta === 0) continue;
      const count = ((await this.index.get<number>(indexKeys.refcount(blob))) ?? 0) + delta;
      if (count <= 0) released.push(blob);
      all.push({ key: indexKeys.refcount(blob), value: count > 0 ? count : undefined });
    }
    await this.index.commit(all);
    // After the commit: a crash here leaves an unreferenced blob, which the next start removes.
    for (const blob of released) if (!this.pinned.has(blob)) await this.blobs.remove(blob);
  }

  private concatenate(blobs: string[]): Readable {
    const out = new PassThrough();
    void (async () => {
      try {
        for (const blob of blobs) {
          const stream = await this.blobs.read(blob);
          for await (const chunk of stream) if (!out.write(chunk)) await new Promise((resolve) => out.once('drain', resolve));
        }
        out.end();
      } catch (error) {
        out.destroy(error as Error);
      }
    })();
    return out;
  }

  /** Blobs left by a crash between their rename and the commit that would have referred to them. */
  private async sweepUnreferencedBlobs(): Promise<void> {
    const referenced = new Set((await this.index.entries<number>(indexKeys.refcountRange())).map(([key]) => key.subarray(1).toString()));
    for (const blob of this.blobs.list()) if (!referenced.has(blob)) await this.blobs.remove(blob);
  }
}

function addRef(refs: Map<string, number>, blob: string, delta: number): void {
  refs.set(blob, (refs.get(blob) ?? 0) + delta);
}

function etagMatches(condition: string, etag: string): boolean {
  return condition
    .split(',')
    .map((c) => c.trim().replace(/^W\//, '').replace(/"/g, ''))
    .some((c) => c === '*' || c === etag);
}

/** If-Match / If-None-Match on a write: checked against the version current at the commit point. */
function checkWriteConditions(current: ObjectRecord | undefined, conditions?: WriteConditions): void {
  if (conditions?.ifMatch !== undefined && (!current || !etagMatches(conditions.ifMatch, current.etag)))
    throw s3Errors.preconditionFailed('If-Match');
  if (conditions?.ifNoneMatch !== undefined && current && etagMatches(conditions.ifNoneMatch, current.etag))
    throw s3Errors.preconditionFailed('If-None-Match');
}

/** x-amz-copy-source-if-match / -if-none-match. */
function checkReadConditions(current: ObjectRecord, conditions?: WriteConditions): void {
  if (conditions?.ifMatch !== undefined && !etagMatches(conditions.ifMatch, current.etag))
    throw s3Errors.preconditionFailed('x-amz-copy-source-If-Match');
  if (conditions?.ifNoneMatch !== undefined && etagMatches(conditions.ifNoneMatch, current.etag))
    throw s3Errors.preconditionFailed('x-amz-copy-source-If-None-Match');
}

export { etagMatches };
