/**
 * Object bodies as content-addressed files: `blobs/<2 hex>/<sha256>`. A body is streamed to a temp
 * file, fsynced, and only then renamed to its content name, so a blob file is always complete. Keys
 * never become paths: no key can escape the directory, collide with another, or be too long a name.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, readdirSync, rmSync, type ReadStream } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** A body written to a temp file, not yet visible: `publish()` gives it its content name. */
export interface StagedBlob {
  /** The sha256 of the bytes: the blob's name once published. */
  id: string;
  size: number;
  /** Hex MD5 of the bytes: a single-part object's ETag. */
  md5: string;
  tempPath: string;
}

/** Thrown when a body grows past the limit it was written with. */
export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
}

export class BlobStore {
  private readonly blobDir: string;
  private readonly tempDir: string;

  constructor(directory: string) {
    this.blobDir = join(directory, 'blobs');
    this.tempDir = join(directory, 'tmp');
    mkdirSync(this.blobDir, { recursive: true });
    // Temp files are bodies whose request never committed (a crash, an aborted upload): none is wanted.
    rmSync(this.tempDir, { recursive: true, force: true });
    mkdirSync(this.tempDir, { recursive: true });
  }

  /** Streams `body` to a temp file (fsynced), hashing it on the way; at most `maxBytes`. */
  async stage(body: Readable, maxBytes: number): Promise<StagedBlob> {
    const tempPath = join(this.tempDir, randomBytes(12).toString('hex'));
    const sha = createHash('sha256');
    const md5 = createHash('md5');
    let size = 0;
    const hasher = new Transform({
      transform(chunk: Buffer, _encoding, callback: TransformCallback) {
        size += chunk.length;
        if (size > maxBytes) return callback(new BodyTooLargeError(`the body is larger than ${maxBytes} bytes`));
        sha.update(chunk);
        md5.update(chunk);
        callback(null, chunk);
      },
    });
    try {
      await pipeline(body, hasher, createWriteStream(tempPath, { flags: 'wx' }));
      await fsyncPath(tempPath);
    } catch (error) {
      await unlink(tempPath).catch(() => undefined);
      throw error;
    }
    return { id: sha.digest('hex'), size, md5: md5.digest('hex'), tempPath };
  }

  /** Drops a staged body that will not be committed. */
  async discard(staged: StagedBlob): Promise<void> {
    await unlink(staged.tempPath).catch(() => undefined);
  }

  /**
   * Gives a staged body its content name, durably (the directory entry is fsynced too): only after
   * this may the index point at it. Same bytes, same name: replacing an existing blob is harmless.
   */
  async publish(staged: StagedBlob): Promise<void> {
    const dir = join(this.blobDir, staged.id.slice(0, 2));
    mkdirSync(dir, { recursive: true });
    await rename(staged.tempPath, join(dir, staged.id));
    await fsyncPath(dir);
  }

  path(id: string): string {
    return join(this.blobDir, id.slice(0, 2), id);
  }

  /** A read stream over `[start, end]` (inclusive), opened before it is returned (a missing blob rejects). */
  async read(id: string, range?: { start: number; end: number }): Promise<ReadStream> {
    const stream = createReadStream(this.path(id), range);
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });
    return stream;
  }

  async remove(id: string): Promise<void> {
    await unlink(this.path(id)).catch(() => undefined);
  }

  /** Every published blob id (for the start-up sweep of blobs no object refers to). */
  list(): string[] {
    const ids: string[] = [];
    for (const dir of readdirSync(this.blobDir)) {
      for (const name of readdirSync(join(this.blobDir, dir))) ids.push(name);
    }
    return ids;
  }
}

async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
