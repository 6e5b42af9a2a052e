/**
 * POST Object: S3's browser-form upload (what `@aws-sdk/s3-presigned-post` prepares), with its signed
 * policy enforced: expiration, `bucket`, exact (`eq`, `{field: value}`) and `starts-with` conditions on
 * any field ($key, $Content-Type, ...), `content-length-range`, and every form field covered by a
 * condition. As with the other requests, the signature is checked for form (SigV4 fields present and
 * well-formed, any access key), not verified (see local/http/request-signature.ts). The file is streamed
 * to the blob store under the policy's size limit; fields after the file are ignored, as S3 does.
 */
import { parseAmzDate } from '../http/request-signature';
import { BodyTooLargeError } from './blob-store';
import { formBoundary, MultipartError, MultipartReader } from './multipart-form';
import type { ObjectAttributes, ObjectStore } from './object-store';
import { S3Error, s3Errors } from './s3-errors';
import type { OperationLimits, S3Request, S3Response } from './s3-operations';
import { MAX_KEY_BYTES } from './s3-operations';
import { xmlDocument } from './s3-xml';

/** S3 refuses POST forms whose fields before the file exceed 20 KB. */
const MAX_FIELDS_BYTES = 20 * 1024;
const STORED_FIELDS = ['content-type', 'cache-control', 'content-disposition', 'content-encoding', 'expires'];
/** Fields S3 never requires a condition for. */
const UNCONDITIONED = /^(x-amz-signature|file|policy|x-ignore-.*)$/;

type Condition = { kind: 'eq' | 'starts-with'; field: string; value: string } | { kind: 'range'; min: number; max: number };

const policyError = (reason: string) => s3Errors.accessDenied(`Invalid according to Policy: ${reason}`);
const malformedPost = (reason: string) =>
  new S3Error('MalformedPOSTRequest', 400, `The body of your POST request is not well-formed multipart/form-data: ${reason}`);

export function isFormPost(request: { method: string; key?: string; headers: S3Request['headers'] }): boolean {
  return (
    request.method === 'POST' && request.key === undefined && /^multipart\/form-data/i.test(String(request.headers['content-type'] ?? ''))
  );
}

export async function postObject(store: ObjectStore, request: S3Request, limits: OperationLimits, now = Date.now()): Promise<S3Response> {
  const bucket = request.bucket!;
  await store.requireBucket(bucket);
  const boundary = formBoundary(request.headers['content-type']);
  if (!boundary) throw malformedPost('no boundary in the Content-Type');
  const reader = new MultipartReader(request.body, boundary, { maxHeaderBytes: 8 * 1024, maxFieldBytes: MAX_FIELDS_BYTES });
  /** Field values by lower-case name; S3 field names are case-insensitive. */
  const fields = new Map<string, string>();
  let fieldBytes = 0;
  try {
    for (;;) {
      const part = await reader.nextPart();
      if (!part) throw s3Errors.invalidArgument('POST requires exactly one file upload per request.');
      if (part.name.toLowerCase() === 'file') {
        const key = objectKey(fields, part.filename);
        const maxBytes = checkPolicy(fields, bucket, now, limits.maxObjectBytes);
        return await storeFile(store, request, reader, { bucket, key, fields, fileType: part.contentType, ...maxBytes });
      }
      const value = (await reader.readValue()).toString('utf8');
      fieldBytes += part.name.length + value.length;
      if (fieldBytes > MAX_FIELDS_BYTES)
        throw new S3Error('MaxPostPreDataLengthExceededError', 400, 'Your POST request fields preceding the upload file were too large.');
      fields.set(part.name.toLowerCase(), value);
    }
  } catch (error) {
    if (error instanceof MultipartError) throw malformedPost(error.message);
    throw error;
  }
}

function objectKey(fields: Map<string, string>, filename: string | undefined): string {
  const template = fields.get('key');
  if (template === undefined || template === '') throw s3Errors.invalidArgument("Bucket POST must contain a field named 'key'.");
  const key = template.replace(/\$\{filename\}/g, filename ?? '');
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) throw s3Errors.keyTooLong();
  return key;
}

/** Checks the signature fields and the policy; answers the size range the file must be in. */
function checkPolicy(
  fields: Map<string, string>,
  bucket: string,
  now: number,
  maxObjectBytes: number,
): { minBytes: number; maxBytes: number } {
  const policyText = fields.get('policy');
  if (policyText === undefined)
    throw s3Errors.accessDenied('Access Denied: an anonymous POST is refused; sign the form (policy, x-amz-signature)');
  if (fields.get('x-amz-algorithm') !== 'AWS4-HMAC-SHA256') throw s3Errors.invalidArgument('x-amz-algorithm must be AWS4-HMAC-SHA256');
  const signedAt = parseAmzDate(fields.get('x-amz-date') ?? '');
  const credential = (fields.get('x-amz-credential') ?? '').split('/');
  if (Number.isNaN(signedAt) || credential.length !== 5 || credential[0] === '' || credential[4] !== 'aws4_request') {
    throw s3Errors.invalidArgument('x-amz-date and x-amz-credential must be SigV4 fields');
  }
  if (!/^[0-9a-f]{64}$/.test(fields.get('x-amz-signature') ?? '')) throw s3Errors.invalidArgument('x-amz-signature must be 64 hex digits');

  let policy: { expiration?: unknown; conditions?: unknown };
  try {
    policy = JSON.parse(Buffer.from(policyText, 'base64').toString('utf8')) as typeof policy;
  } catch {
    throw s3Errors.invalidArgument('Invalid Policy: Invalid JSON.');
  }
  if (!policy || typeof policy !== 'object') throw s3Errors.invalidArgument('Invalid Policy: Invalid JSON.');
  const expiration = typeof policy.expiration === 'string' ? Date.parse(policy.expiration) : NaN;
  if (Number.isNaN(expiration)) throw s3Errors.invalidArgument('Invalid Policy: Policy missing expiration.');
  if (expiration < now) throw policyError('Policy expired.');
  if (!Array.isArray(policy.conditions)) throw s3Errors.invalidArgument('Invalid Policy: Policy missing conditions.');
  const conditions = policy.conditions.map(parseCondition);

  // `$key` is the field as sent (a `${filename}` template matches itself), as the SDK's own conditions expect.
  const value = (field: string) => (field === 'bucket' ? bucket : (fields.get(field) ?? ''));
  let range = { minBytes: 0, maxBytes: maxObjectBytes };
  const covered = new Set<string>();
  for (const condition of conditions) {
    if (condition.kind === 'range') {
      range = { minBytes: Math.max(range.minBytes, condition.min), maxBytes: Math.min(range.maxBytes, condition.max) };
      continue;
    }
    covered.add(condition.field);
    const actual = value(condition.field);
    const holds = condition.kind === 'eq' ? actual === condition.value : actual.startsWith(condition.value);
    if (!holds) throw policyError(`Policy Condition failed: ["${condition.kind}", "$${condition.field}", "${condition.value}"]`);
  }
  if (!covered.has('bucket')) throw policyError('Policy Condition failed: ["eq", "$bucket", ""] (the policy must name the bucket)');
  const extra = [...fields.keys()].filter((name) => !UNCONDITIONED.test(name) && !covered.has(name));
  if (extra.length > 0) throw policyError(`Extra input fields: ${extra.join(', ')}`);
  return range;
}

function parseCondition(raw: unknown): Condition {
  if (Array.isArray(raw) && raw[0] === 'content-length-range') {
    const [, min, max] = raw.map(Number);
    if (raw.length !== 3 || !Number.isInteger(min) || !Number.isInteger(max) || min < 0 || max < min)
      throw s3Errors.invalidArgument('Invalid Policy: Invalid content-length-range.');
    return { kind: 'range', min, max };
  }
  if (
    Array.isArray(raw) &&
    raw.length === 3 &&
    (raw[0] === 'eq' || raw[0] === 'starts-with') &&
    typeof raw[1] === 'string' &&
    raw[1].startsWith('$') &&
    typeof raw[2] === 'string'
  ) {
    return { kind: raw[0], field: raw[1].slice(1).toLowerCase(), value: raw[2] };
  }
  if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
    const entries = Object.entries(raw as Record<string, unknown>);
    if (entries.length === 1 && typeof entries[0][1] === 'string')
      return { kind: 'eq', field: entries[0][0].toLowerCase(), value: entries[0][1] };
  }
  throw s3Errors.invalidArgument(`Invalid Policy: Invalid Condition: ${JSON.stringify(raw)?.slice(0, 200)}`);
}

async function storeFile(
  store: ObjectStore,
  request: S3Request,
  reader: MultipartReader,
  upload: { bucket: string; key: string; fields: Map<string, string>; fileType?: string; minBytes: number; maxBytes: number },
): Promise<S3Response> {
  const { bucket, key, fields } = upload;
  let staged;
  try {
    staged = await store.stage(reader.streamValue(), upload.maxBytes);
  } catch (error) {
    if (error instanceof BodyTooLargeError) throw s3Errors.entityTooLarge(upload.maxBytes);
    if (error instanceof MultipartError) throw malformedPost(error.message);
    throw s3Errors.incompleteBody();
  }
  if (staged.size < upload.minBytes) {
    await store.blobs.discard(staged);
    throw new S3Error('EntityTooSmall', 400, 'Your proposed upload is smaller than the minimum allowed size', {
      MinSizeAllowed: String(upload.minBytes),
      ProposedSize: String(staged.size),
    });
  }
  const attributes: ObjectAttributes = { headers: {}, metadata: {} };
  for (const name of STORED_FIELDS) {
    const field = fields.get(name);
    if (field !== undefined) attributes.headers[name] = field;
  }
  attributes.headers['content-type'] ??= upload.fileType ?? 'binary/octet-stream';
  for (const [name, field] of fields) if (name.startsWith('x-amz-meta-')) attributes.metadata[name.slice('x-amz-meta-'.length)] = field;
  const record = await store.putObject(bucket, key, staged, attributes, { reason: 'PostObject', sourceIp: request.sourceIp });
  // The rest of the form (fields after the file) is read and ignored.
  request.body.resume();

  const etag = `"${record.etag}"`;
  const location = `/${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
  const redirect = fields.get('success_action_redirect') ?? fields.get('redirect');
  if (redirect && /^https?:\/\//i.test(redirect)) {
    const target = new URL(redirect);
    target.searchParams.set('bucket', bucket);
    target.searchParams.set('key', key);
    target.searchParams.set('etag', etag);
    return { status: 303, headers: { Location: target.toString(), ETag: etag } };
  }
  const status = fields.get('success_action_status');
  if (status === '201') {
    const body = xmlDocument('PostResponse', { Location: location, Bucket: bucket, Key: key, ETag: etag });
    return {
      status: 201,
      headers: { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(body), ETag: etag, Location: location },
      body,
    };
  }
  return { status: status === '200' ? 200 : 204, headers: { ETag: etag, Location: location } };
}
