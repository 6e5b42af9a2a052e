/**
 * S3 object helpers shared by the tasks: bounded reads, pinned (IfMatch) reads of one object version,
 * JSON and image writes, `s3://` URIs and the naming of every object picflow derives from an upload.
 * Every call goes through callAws('S3') so the state machine can retry transient failures by name.
 */
import { createHash } from 'node:crypto';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type HeadObjectCommandOutput, type S3Client } from '@aws-sdk/client-s3';
import { callAws, ImageValidationError, StaleEventError } from './errors';
import type { ImageRef, S3Location } from './types';

/** One exact version of an object: reads fail with StaleEventError when the object no longer matches. */
export interface ObjectPin {
  etag: string;
  versionId?: string;
}

export interface ReadOptions {
  /** Reading stops (and ObjectTooLargeError is thrown) as soon as the object proves larger than this. */
  maxBytes: number;
  pin?: ObjectPin;
}

/** The object is larger than the caller is willing to hold in memory. */
export class ObjectTooLargeError extends Error {
  override readonly name = 'ObjectTooLargeError';
  constructor(
    readonly location: S3Location,
    readonly bytes: number,
    readonly maxBytes: number,
  ) {
    super(`${s3Uri(location)} is larger than ${maxBytes} bytes (at least ${bytes})`);
  }
}

/**
 * HeadObject, pinned to one version when `pin` is given. A pinned object that was replaced (412)
 * raises StaleEventError (a newer event owns the key now); one that does not exist (404) raises
 * ImageValidationError NOT_FOUND: no newer event owns a missing object, so it must be recorded.
 */
export async function headObject(s3: S3Client, location: S3Location, pin?: ObjectPin): Promise<HeadObjectCommandOutput> {
  return callAws('S3', async () => {
    try {
      return await s3.send(new HeadObjectCommand({ Bucket: location.bucket, Key: location.key, ...pinParams(pin) }));
    } catch (error) {
      throw pin ? pinnedError(location, pin, error) : error;
    }
  });
}

/**
 * Reads a whole object into memory, never more than `maxBytes` of it: the declared length is checked
 * first, and the stream is cut off if it turns out longer (a length header can lie or be missing).
 */
export async function readObject(s3: S3Client, location: S3Location, options: ReadOptions): Promise<Buffer> {
  const { maxBytes, pin } = options;
  const output = await callAws('S3', async () => {
    try {
      return await s3.send(new GetObjectCommand({ Bucket: location.bucket, Key: location.key, ...pinParams(pin) }));
    } catch (error) {
      throw pin ? pinnedError(location, pin, error) : error;
    }
  });
  const body = output.Body as (AsyncIterable<Uint8Array> & { destroy?: () => void }) | undefined;
  if (output.ContentLength !== undefined && output.ContentLength > maxBytes) {
    body?.destroy?.();
    throw new ObjectTooLargeError(location, output.ContentLength, maxBytes);
  }
  if (!body) return Buffer.alloc(0);
  // Stream errors (a reset connection halfway through) are as transient as a failed request.
  const read = await callAws('S3', () => collect(body, maxBytes));
  if (read.tooLarge) throw new ObjectTooLargeError(location, read.bytes, maxBytes);
  return read.buffer;
}

async function collect(
  body: AsyncIterable<Uint8Array> & { destroy?: () => void },
  maxBytes: number,
): Promise<{ buffer: Buffer; bytes: number; tooLarge: boolean }> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of body) {
    bytes += chunk.length;
    if (bytes > maxBytes) {
      body.destroy?.();
      return { buffer: Buffer.alloc(0), bytes, tooLarge: true };
    }
    chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  }
  return { buffer: Buffer.concat(chunks, bytes), bytes, tooLarge: false };
}

/** Writes a JSON document (compact, UTF-8). */
export async function putJson(s3: S3Client, location: S3Location, value: unknown): Promise<void> {
  await callAws('S3', () =>
    s3.send(
      new PutObjectCommand({
        Bucket: location.bucket,
        Key: location.key,
        Body: JSON.stringify(value),
        ContentType: 'application/json',
      }),
    ),
  );
}

/** Writes an image picflow produced (thumbnail or normalized copy). */
export async function putImage(s3: S3Client, location: S3Location, body: Buffer, contentType = 'image/jpeg'): Promise<void> {
  await callAws('S3', () =>
    s3.send(new PutObjectCommand({ Bucket: location.bucket, Key: location.key, Body: body, ContentType: contentType })),
  );
}

export function s3Uri(location: S3Location): string {
  return `s3://${location.bucket}/${location.key}`;
}

/** The inverse of s3Uri: where an item's `s3://bucket/key` reference points (the API's delete reads them). */
export function parseS3Uri(uri: string): S3Location {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!match) throw new Error(`"${uri}" is not an s3://bucket/key URI`);
  return { bucket: match[1], key: match[2] };
}

/** The upload's key below the upload prefix (`uploads/a/b.png` → `a/b.png`); keys outside it are kept whole. */
export function keyWithoutUploadPrefix(key: string, uploadPrefix: string): string {
  return uploadPrefix && key.startsWith(uploadPrefix) ? key.slice(uploadPrefix.length) : key;
}

/** ETags arrive quoted from S3 APIs and bare from events; keys and comparisons use the bare form. */
export function bareEtag(etag: string): string {
  return etag.replace(/^(W\/)?"|"$/g, '');
}

/**
 * Where an object derived from an upload lives: `${prefix}${keyWithoutUploadPrefix}/${etag}${suffix}`.
 * The ETag in the name keeps each version's outputs apart, so a re-upload never overwrites (or is
 * mixed up with) the outputs of the version before it.
 */
export function derivedKey(prefix: string, image: Pick<ImageRef, 'key' | 'etag'>, uploadPrefix: string, suffix: string): string {
  const tail = `/${bareEtag(image.etag)}${suffix}`;
  const middle = keyWithoutUploadPrefix(image.key, uploadPrefix);
  const key = `${prefix}${middle}${tail}`;
  if (Buffer.byteLength(key) <= MAX_S3_KEY_BYTES) return key;
  // S3 rejects keys over 1,024 bytes, and an upload's key may use them all: cut the middle and add a
  // hash of the whole key, so the name stays unique, deterministic and as readable as fits. The cut
  // leaves room for any tail up to DERIVED_TAIL_BYTES, so one upload's outputs share one folder.
  const hash = `~${createHash('sha256').update(middle).digest('hex').slice(0, 16)}`;
  const budget = MAX_S3_KEY_BYTES - Buffer.byteLength(prefix + hash) - Math.max(Buffer.byteLength(tail), DERIVED_TAIL_BYTES);
  return `${prefix}${utf8Head(middle, budget)}${hash}${tail}`;
}

/** S3's limit on a key's length, in UTF-8 bytes. */
export const MAX_S3_KEY_BYTES = 1024;
/** Room kept for `/<etag><suffix>` when a long key is cut: a multipart ETag and a long file name fit. */
const DERIVED_TAIL_BYTES = 128;

/** The longest start of `text` that fits in `bytes` UTF-8 bytes, never cutting a character in two. */
function utf8Head(text: string, bytes: number): string {
  let head = '';
  let used = 0;
  for (const char of text) {
    used += Buffer.byteLength(char);
    if (used > bytes) break;
    head += char;
  }
  return head;
}

/** The JPEG copy ValidateImage writes: `normalized/<key>/<etag>.jpg`. */
export function normalizedKey(image: Pick<ImageRef, 'key' | 'etag'>, config: { normalizedPrefix: string; uploadPrefix: string }): string {
  return derivedKey(config.normalizedPrefix, image, config.uploadPrefix, '.jpg');
}

/** One thumbnail: `thumbnails/<key>/<etag>/<name>.jpg`. */
export function thumbnailKey(
  image: Pick<ImageRef, 'key' | 'etag'>,
  name: string,
  config: { thumbnailPrefix: string; uploadPrefix: string },
): string {
  return derivedKey(config.thumbnailPrefix, image, config.uploadPrefix, `/${name}.jpg`);
}

/** One raw analysis response: `analysis/<key>/<etag>/<file>` (faces.json, labels.json, ...). */
export function analysisKey(
  image: Pick<ImageRef, 'key' | 'etag'>,
  file: string,
  config: { analysisPrefix: string; uploadPrefix: string },
): string {
  return derivedKey(config.analysisPrefix, image, config.uploadPrefix, `/${file}`);
}

/** The pin for reading `location`: only the upload itself is pinned to the event's version. */
export function pinFor(location: S3Location, image: ImageRef): ObjectPin | undefined {
  return location.bucket === image.bucket && location.key === image.key ? { etag: image.etag, versionId: image.versionId } : undefined;
}

function pinParams(pin: ObjectPin | undefined): { IfMatch?: string; VersionId?: string } {
  if (!pin) return {};
  // S3 compares If-Match against the quoted ETag; events carry it bare.
  return { IfMatch: `"${bareEtag(pin.etag)}"`, ...(pin.versionId ? { VersionId: pin.versionId } : {}) };
}

const REPLACED_NAMES = new Set(['PreconditionFailed']);
const MISSING_NAMES = new Set(['NoSuchKey', 'NotFound', 'NoSuchVersion']);

/**
 * What a pinned read's failure means. 412: the object has another ETag now (StaleEventError). 404: it
 * (or that version) does not exist (NOT_FOUND). A missing bucket, or anything else, stays as it is.
 */
function pinnedError(location: S3Location, pin: ObjectPin, error: unknown): unknown {
  const err = (error ?? {}) as { name?: string; $metadata?: { httpStatusCode?: number } };
  if (err.name === 'NoSuchBucket') return error;
  const status = err.$metadata?.httpStatusCode;
  const name = err.name ?? 'Error';
  if (REPLACED_NAMES.has(name) || status === 412) {
    return new StaleEventError(
      `${s3Uri(location)} no longer has ETag ${bareEtag(pin.etag)}${pin.versionId ? ` (version ${pin.versionId})` : ''}: ` +
        `it was replaced after the event (${name})`,
    );
  }
  if (MISSING_NAMES.has(name) || status === 404) {
    return new ImageValidationError(
      'NOT_FOUND',
      `${s3Uri(location)}${pin.versionId ? ` (version ${pin.versionId})` : ''} does not exist (${name})`,
    );
  }
  return error;
}
