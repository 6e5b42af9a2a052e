/** Downloads the upload named by the event, pinned to its ETag/version, rejecting empty and oversized objects before reading them. */
import { ImageValidationError, StaleEventError } from '../shared/errors';
import { headObject, ObjectTooLargeError, readObject } from '../shared/s3-objects';
import type { ImageRef } from '../shared/types';

/**
 * HeadObject first: its ContentLength rejects an empty or oversized object without downloading a
 * byte. Both calls carry IfMatch (and VersionId), so an object replaced or deleted since the event
 * raises StaleEventError instead of validating someone else's upload.
 */
export async function fetchUpload(image: ImageRef, maxBytes: number): Promise<Buffer> {
  const location = { bucket: image.bucket, key: image.key };
  const pin = { etag: image.etag, versionId: image.versionId };
  const head = await headObject(location, pin);
  // Also compare the ETag ourselves: S3-compatible servers that ignore If-Match (s3rver did) would
  // otherwise hand back a newer object under the old event's name.
  const etag = head.ETag?.replace(/"/g, '');
  if (etag && image.etag && etag !== image.etag) {
    throw new StaleEventError(`${image.key} changed since the event (ETag ${etag}, event had ${image.etag})`);
  }
  const declared = head.ContentLength ?? image.size;
  if (declared === 0) throw emptyError();
  if (declared > maxBytes) throw tooLargeError(declared, maxBytes);

  let buffer: Buffer;
  try {
    buffer = await readObject(location, { maxBytes, pin });
  } catch (error) {
    if (error instanceof ObjectTooLargeError) throw tooLargeError(error.bytes, maxBytes);
    throw error;
  }
  if (buffer.length === 0) throw emptyError();
  return buffer;
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
