/** Downloads the upload named by the event, pinned to its ETag/version, rejecting empty and oversized objects before reading them. */
import type { HeadObjectCommandOutput, S3Client } from '@aws-sdk/client-s3';
import { ImageValidationError, StaleEventError } from '../shared/errors';
import { formDecodedKey } from '../shared/s3-event';
import { headObject, ObjectTooLargeError, readObject } from '../shared/s3-objects';
import type { ImageRef } from '../shared/types';

/** The upload's bytes, and the image they were read from (the event's key, or the resolved one). */
export interface FetchedUpload {
  buffer: Buffer;
  image: ImageRef;
}

/**
 * HeadObject first: its ContentLength rejects an empty or oversized object without downloading a
 * byte. Both calls carry IfMatch (and VersionId), so an object replaced since the event raises
 * StaleEventError instead of validating someone else's upload; a missing one raises NOT_FOUND.
 */
export async function fetchUpload(s3: S3Client, image: ImageRef, maxBytes: number): Promise<FetchedUpload> {
  const { head, image: resolved } = await resolveUpload(s3, image);
  const location = { bucket: resolved.bucket, key: resolved.key };
  const pin = { etag: resolved.etag, versionId: resolved.versionId };
  const declared = head.ContentLength ?? image.size;
  if (declared === 0) throw emptyError();
  if (declared > maxBytes) throw tooLargeError(declared, maxBytes);

  let buffer: Buffer;
  try {
    buffer = await readObject(s3, location, { maxBytes, pin });
  } catch (error) {
    if (error instanceof ObjectTooLargeError) throw tooLargeError(error.bytes, maxBytes);
    throw error;
  }
  if (buffer.length === 0) throw emptyError();
  return { buffer, image: resolved };
}

/**
 * Finds the event's object. The key is raw (EventBridge does not encode it); only when no object has
 * that key is its form-decoded reading tried (an event encoded like a classic S3 notification), and
 * that object is taken only with the event's ETag: anything else under that name is another upload.
 * The resolved image keeps the claim's imageId: the item was claimed under the event's key before any
 * S3 call, and re-keying it here would bypass the claim's ordering and duplicate checks.
 */
async function resolveUpload(s3: S3Client, image: ImageRef): Promise<{ head: HeadObjectCommandOutput; image: ImageRef }> {
  try {
    const head = await pinnedHead(s3, image);
    if (!sameEtag(head, image)) {
      // S3-compatible servers that ignore If-Match would otherwise hand back a newer object.
      throw new StaleEventError(`${image.key} changed since the event (ETag ${etagOf(head)}, event had ${image.etag})`);
    }
    return { head, image };
  } catch (error) {
    const decoded = isNotFound(error) ? formDecodedKey(image.key) : undefined;
    if (decoded === undefined) throw error;
    const candidate = { ...image, key: decoded };
    let head: HeadObjectCommandOutput;
    try {
      head = await pinnedHead(s3, candidate);
    } catch (second) {
      if (isNotFound(second) || second instanceof StaleEventError) throw notFound(image, decoded, second);
      throw second;
    }
    if (!sameEtag(head, candidate)) throw notFound(image, decoded, `it has ETag ${etagOf(head)}, the event had ${image.etag}`);
    return { head, image: candidate };
  }
}

function pinnedHead(s3: S3Client, image: ImageRef): Promise<HeadObjectCommandOutput> {
  return headObject(s3, { bucket: image.bucket, key: image.key }, { etag: image.etag, versionId: image.versionId });
}

function etagOf(head: HeadObjectCommandOutput): string | undefined {
  return head.ETag?.replace(/"/g, '');
}

function sameEtag(head: HeadObjectCommandOutput, image: ImageRef): boolean {
  const etag = etagOf(head);
  return !etag || !image.etag || etag === image.etag;
}

function isNotFound(error: unknown): boolean {
  return error instanceof ImageValidationError && error.reason === 'NOT_FOUND';
}

function notFound(image: ImageRef, decoded: string, why: unknown): ImageValidationError {
  const detail = why instanceof Error ? why.message : String(why);
  return new ImageValidationError(
    'NOT_FOUND',
    `no object has the key "${image.key}"; its form-decoded reading "${decoded}" is not the event's object either (${detail})`,
  );
}

function emptyError(): ImageValidationError {
  return new ImageValidationError('EMPTY', 'the uploaded object is empty (0 bytes)');
}

function tooLargeError(bytes: number, maxBytes: number): ImageValidationError {
  return new ImageValidationError(
    'TOO_LARGE',
    `the upload is ${describeBytes(bytes)}, over the limit of ${describeBytes(maxBytes)} (MAX_IMAGE_BYTES)`,
  );
}

export function describeBytes(bytes: number): string {
  return `${bytes.toLocaleString('en-US')} bytes (${(bytes / 1024 / 1024).toFixed(1)} MiB)`;
}
