/** Reads the EventBridge "Object Created" event S3 sends into the ImageRef every later state uses. */
import { InvalidEventError } from './errors';
import { sequencerKey } from './sequencer';
import type { ImageRef, S3ObjectCreatedEvent } from './types';

/**
 * The form-decoded reading of a key (`+` as a space, then percent-decoding), or undefined when it
 * does not decode or reads the same. EventBridge delivers keys RAW, so this is never the key itself:
 * it is only the second guess ValidateImage tries (and accepts only with the event's ETag) for an
 * event whose raw key names no object, e.g. one written by a tool that encoded it like a classic S3
 * notification. `+` becomes a space BEFORE percent-decoding, or a real `+` (`%2B`) would turn into one.
 */
export function formDecodedKey(key: string): string | undefined {
  try {
    const decoded = decodeURIComponent(key.replace(/\+/g, ' '));
    return decoded === key ? undefined : decoded;
  } catch {
    return undefined;
  }
}

/** A key ending in `/` is a folder marker (the S3 console's "Create folder"), never an image. */
export function isFolderKey(key: string): boolean {
  return key.endsWith('/');
}

/**
 * Validates the event and returns the image it names. Throws InvalidEventError (permanent: the state
 * machine does not retry it) for anything that is not an S3 Object Created event under the upload
 * prefix: objects picflow writes itself (thumbnails, normalized copies) must never be analysed, or
 * one upload could trigger an endless chain of executions.
 */
export function parseS3Event(event: unknown, options: { uploadPrefix: string }): ImageRef {
  if (!isObject(event)) throw new InvalidEventError('the execution input is not an EventBridge event object');
  if (event.source !== 'aws.s3' || event['detail-type'] !== 'Object Created') {
    throw new InvalidEventError(
      `expected an S3 "Object Created" event (source aws.s3), got "${String(event['detail-type'])}" from "${String(event.source)}"`,
    );
  }
  const detail = event.detail;
  const bucket = isObject(detail) && isObject(detail.bucket) ? detail.bucket.name : undefined;
  const object = isObject(detail) && isObject(detail.object) ? detail.object : undefined;
  const missing = [
    nonEmptyString(bucket) ? undefined : 'detail.bucket.name',
    object && nonEmptyString(object.key) ? undefined : 'detail.object.key',
    object && typeof object.size === 'number' && object.size >= 0 ? undefined : 'detail.object.size',
    object && typeof object.etag === 'string' ? undefined : 'detail.object.etag',
    object && nonEmptyString(object.sequencer) ? undefined : 'detail.object.sequencer',
    nonEmptyString(event.time) ? undefined : 'time',
  ].filter((field): field is string => field !== undefined);
  if (missing.length > 0 || !object) {
    throw new InvalidEventError(`the S3 event is missing ${missing.join(', ')}`);
  }
  const s3Object = object as unknown as S3ObjectCreatedEvent['detail']['object'];
  // Raw, as EventBridge delivers it: decoding would corrupt keys containing `+` or `%`.
  const key = s3Object.key;
  if (!key.startsWith(options.uploadPrefix)) {
    throw new InvalidEventError(
      `the key "${clip(key)}" is outside the upload prefix ` +
        `"${options.uploadPrefix}": picflow only analyses uploads, never the objects it writes`,
    );
  }
  // Validate now: a malformed sequencer would otherwise only fail in the claim's condition expression.
  sequencerKey(s3Object.sequencer);
  const versionId = s3Object['version-id'];
  return {
    imageId: `${bucket as string}/${key}`,
    bucket: bucket as string,
    key,
    ...(nonEmptyString(versionId) ? { versionId } : {}),
    etag: s3Object.etag,
    size: s3Object.size,
    sequencer: s3Object.sequencer,
    eventTime: event.time as string,
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

function clip(text: string): string {
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}
