/**
 * The S3 REST operations the pipeline, the AWS SDK v3 and the AWS CLI use, path-style: a parsed
 * request in, a status, headers and body out. Every failure is an S3Error (S3's code and status).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import { AwsChunkedDecoder, isAwsChunked } from './aws-chunked-decoder';
import { BodyTooLargeError } from './blob-store';
import type { ObjectRecord } from './object-index';
import { isFormPost, postObject } from './post-object';
import { etagMatches, type ObjectAttributes, type ObjectStore } from './object-store';
import { S3Error, s3Errors } from './s3-errors';
import { parseXml, xmlDocument, type XmlObject } from './s3-xml';

export interface S3Request {
  method: string;
  bucket?: string;
  /** The object key exactly as sent (percent-decoded, never normalised). */
  key?: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Readable;
  sourceIp?: string;
}

export interface S3Response {
  status: number;
  headers: Record<string, string | number>;
  body?: string | Buffer | Readable;
}

export interface OperationLimits {
  /** Largest object body (PutObject, UploadPart, a completed multipart upload). */
  maxObjectBytes: number;
  /** Largest XML request document (DeleteObjects, CompleteMultipartUpload). */
  maxXmlBytes: number;
}

/** S3's key length limit, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 1024;
const MAX_LIST_KEYS = 1000;
const STORED_HEADERS = ['content-type', 'cache-control', 'content-disposition', 'content-encoding', 'content-language', 'expires'];
const RESPONSE_OVERRIDES: Record<string, string> = {
  'response-content-type': 'Content-Type',
  'response-content-language': 'Content-Language',
  'response-expires': 'Expires',
  'response-cache-control': 'Cache-Control',
  'response-content-disposition': 'Content-Disposition',
  'response-content-encoding': 'Content-Encoding',
};

export async function dispatch(store: ObjectStore, request: S3Request, limits: OperationLimits): Promise<S3Response> {
  const { method, bucket, key, query } = request;
  if (!bucket) {
    if (method === 'GET' || method === 'HEAD') return listBuckets(store);
    throw s3Errors.methodNotAllowed();
  }
  if (key === undefined) {
    if (method === 'PUT' && [...query.keys()].length === 0) return createBucket(store, bucket);
    if (method === 'HEAD') return headBucket(store, bucket);
    if (method === 'DELETE' && [...query.keys()].length === 0) return deleteBucket(store, bucket);
    if (method === 'POST' && query.has('delete')) return deleteObjects(store, request, limits);
    if (method === 'GET' && query.has('location')) return ok(xmlDocument('LocationConstraint', {}));
    if (method === 'GET' && query.has('uploads')) throw s3Errors.notImplemented('ListMultipartUploads');
    if (method === 'GET' && !hasSubresource(query))
      return query.get('list-type') === '2' ? listObjectsV2(store, request) : listObjectsV1(store, request);
    if (method === 'POST' && isFormPost(request)) return postObject(store, request, limits);
    throw s3Errors.notImplemented(`${method} bucket ?${[...query.keys()].join('&')}`);
  }
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) throw s3Errors.keyTooLong();
  await store.requireBucket(bucket);
  if (method === 'PUT' && query.has('uploadId')) {
    return request.headers['x-amz-copy-source'] !== undefined ? uploadPartCopy(store, request) : uploadPart(store, request, limits);
  }
  if (method === 'PUT' && request.headers['x-amz-copy-source'] !== undefined) return copyObject(store, request);
  if (method === 'PUT' && !hasSubresource(query)) return putObject(store, request, limits);
  if (method === 'GET' && query.has('uploadId')) return listParts(store, request);
  if ((method === 'GET' || method === 'HEAD') && !hasSubresource(query)) return getObject(store, request);
  if (method === 'DELETE' && query.has('uploadId')) return abortUpload(store, request);
  if (method === 'DELETE' && !hasSubresource(query)) return deleteObject(store, request, bucket, key);
  if (method === 'POST' && query.has('uploads')) return createUpload(store, request);
  if (method === 'POST' && query.has('uploadId')) return completeUpload(store, request, limits);
  throw s3Errors.notImplemented(`${method} object ?${[...query.keys()].join('&')}`);
}

/** Query parameters that select no sub-resource: list options, presigned-URL signature fields. */
const IGNORED_PARAMETER = new RegExp(
  `^(${[
    'x-id|list-type|prefix|delimiter|max-keys|continuation-token|start-after|encoding-type|fetch-owner|marker|versionId|partNumber',
    'response-.*|X-Amz-.*|x-amz-.*|AWSAccessKeyId|Signature|Expires',
  ].join('|')})$`,
);

/** Sub-resources (`?acl`, `?tagging`, ...) select other operations: only a few are served. */
function hasSubresource(query: URLSearchParams): boolean {
  return [...query.keys()].some((name) => !IGNORED_PARAMETER.test(name));
}

// Buckets

async function listBuckets(store: ObjectStore): Promise<S3Response> {
  const buckets = await store.listBuckets();
  return ok(
    xmlDocument('ListAllMyBucketsResult', {
      Owner: { ID: 'picflow-local', DisplayName: 'picflow-local' },
      Buckets: { Bucket: buckets.map((b) => ({ Name: b.name, CreationDate: b.created })) },
    }),
  );
}

async function createBucket(store: ObjectStore, bucket: string): Promise<S3Response> {
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) throw s3Errors.invalidBucketName(bucket);
  await store.createBucket(bucket);
  return { status: 200, headers: { Location: `/${bucket}` } };
}

async function headBucket(store: ObjectStore, bucket: string): Promise<S3Response> {
  await store.requireBucket(bucket);
  return { status: 200, headers: { 'x-amz-bucket-region': 'us-east-1' } };
}

async function deleteBucket(store: ObjectStore, bucket: string): Promise<S3Response> {
  await store.deleteBucket(bucket);
  return { status: 204, headers: {} };
}

// Listing

/** Opaque continuation token: where the next page starts, as bytes (keys are arbitrary UTF-8). */
function encodeToken(resumeAfter: Buffer): string {
  return Buffer.concat([Buffer.from('v1:'), resumeAfter]).toString('base64url');
}

function decodeToken(token: string): Buffer {
  const bytes = Buffer.from(token, 'base64url');
  if (!bytes.subarray(0, 3).equals(Buffer.from('v1:'))) throw s3Errors.invalidArgument('The continuation token provided is incorrect');
  return bytes.subarray(3);
}

function maxKeys(query: URLSearchParams): number {
  const raw = query.get('max-keys');
  if (raw === null) return MAX_LIST_KEYS;
  if (!/^\d+$/.test(raw)) throw s3Errors.invalidArgument('Provided max-keys not an integer or within integer range');
  return Math.min(Number(raw), MAX_LIST_KEYS);
}

function listEncoder(query: URLSearchParams): (text: string) => string {
  const encoding = query.get('encoding-type');
  if (encoding !== null && encoding !== 'url') throw s3Errors.invalidArgument('Invalid Encoding Method specified in Request');
  return encoding === 'url' ? (text) => encodeURIComponent(text).replace(/%2F/g, '/') : (text) => text;
}

function contents(key: string, record: ObjectRecord, encode: (text: string) => string): XmlObject {
  return { Key: encode(key), LastModified: record.lastModified, ETag: `"${record.etag}"`, Size: record.size, StorageClass: 'STANDARD' };
}

/** What both list versions read first, checked in this order: the bucket, encoding-type, max-keys. */
async function listParameters(store: ObjectStore, request: S3Request) {
  const { query } = request;
  const bucket = request.bucket!;
  await store.requireBucket(bucket);
  const encode = listEncoder(query);
  const prefix = query.get('prefix') ?? '';
  const delimiter = query.get('delimiter') ?? '';
  return { query, bucket, encode, prefix, delimiter, limit: maxKeys(query) };
}

type ListParameters = Awaited<ReturnType<typeof listParameters>>;

/** One page of the listing after `after`, with its keys and rolled-up prefixes as both versions answer them. */
async function listPage(store: ObjectStore, list: ListParameters, after: Buffer | undefined) {
  const { bucket, encode, prefix, delimiter, limit } = list;
  const page = await store.list(bucket, { prefix, delimiter, after, maxKeys: limit });
  const objects = page.entries.filter((e) => 'key' in e) as { key: string; record: ObjectRecord }[];
  const prefixes = page.entries.filter((e) => 'commonPrefix' in e) as { commonPrefix: string }[];
  const listed = {
    Contents: objects.map((o) => contents(o.key, o.record, encode)),
    CommonPrefixes: prefixes.map((p) => ({ Prefix: encode(p.commonPrefix) })),
  };
  return { page, listed };
}

async function listObjectsV2(store: ObjectStore, request: S3Request): Promise<S3Response> {
  const list = await listParameters(store, request);
  const { query, bucket, encode, prefix, delimiter, limit } = list;
  const token = query.get('continuation-token');
  const startAfter = query.get('start-after');
  const after = token !== null ? decodeToken(token) : startAfter ? Buffer.from(startAfter, 'utf8') : undefined;
  const { page, listed } = await listPage(store, list, after);
  return ok(
    xmlDocument('ListBucketResult', {
      Name: bucket,
      Prefix: encode(prefix),
      Delimiter: delimiter ? encode(delimiter) : undefined,
      MaxKeys: limit,
      KeyCount: page.entries.length,
      IsTruncated: page.truncated,
      EncodingType: query.get('encoding-type') ?? undefined,
      ContinuationToken: token ?? undefined,
      NextContinuationToken: page.truncated && page.resumeAfter ? encodeToken(page.resumeAfter) : undefined,
      StartAfter: startAfter !== null ? encode(startAfter) : undefined,
      ...listed,
    }),
  );
}

async function listObjectsV1(store: ObjectStore, request: S3Request): Promise<S3Response> {
  const list = await listParameters(store, request);
  const { query, bucket, encode, prefix, delimiter, limit } = list;
  const marker = query.get('marker') ?? '';
  // A marker that is a common prefix (our NextMarker) resumes after everything under it.
  const rolledUp = delimiter && marker.startsWith(prefix) && marker.endsWith(delimiter) && marker.length > prefix.length;
  const after = marker ? Buffer.concat([Buffer.from(marker, 'utf8'), rolledUp ? Buffer.from([0xff]) : Buffer.alloc(0)]) : undefined;
  const { page, listed } = await listPage(store, list, after);
  const last = page.entries.at(-1);
  return ok(
    xmlDocument('ListBucketResult', {
      Name: bucket,
      Prefix: encode(prefix),
      Marker: encode(marker),
      NextMarker: page.truncated && delimiter && last ? encode('key' in last ? last.key : last.commonPrefix) : undefined,
      Delimiter: delimiter ? encode(delimiter) : undefined,
      MaxKeys: limit,
      EncodingType: query.get('encoding-type') ?? undefined,
      IsTruncated: page.truncated,
      ...listed,
    }),
  );
}

// Objects

/** The request body as the object's bytes: aws-chunked framing (SDK and CLI defaults) removed. */
function objectBody(request: S3Request): Readable {
  if (!isAwsChunked(request.headers)) return request.body;
  const decoder = new AwsChunkedDecoder();
  request.body.on('error', (error) => decoder.destroy(error));
  return request.body.pipe(decoder);
}

function declaredLength(headers: IncomingHttpHeaders): number | undefined {
  const raw = headers['x-amz-decoded-content-length'] ?? headers['content-length'];
  return raw === undefined ? undefined : Number(raw);
}

/** Stages the request body; refuses it before reading when its declared length is over the limit. */
async function stageBody(store: ObjectStore, request: S3Request, maxBytes: number) {
  const length = declaredLength(request.headers);
  if (length !== undefined && length > maxBytes) throw s3Errors.entityTooLarge(maxBytes);
  let staged: Awaited<ReturnType<ObjectStore['stage']>>;
  try {
    staged = await store.stage(objectBody(request), maxBytes);
  } catch (error) {
    if (error instanceof BodyTooLargeError) throw s3Errors.entityTooLarge(maxBytes);
    if (error instanceof S3Error) throw error;
    throw s3Errors.incompleteBody();
  }
  if (length !== undefined && !Number.isNaN(length) && staged.size !== length) {
    await store.blobs.discard(staged);
    throw s3Errors.incompleteBody();
  }
  const md5 = request.headers['content-md5'];
  if (md5 !== undefined && Buffer.from(staged.md5, 'hex').toString('base64') !== md5) {
    await store.blobs.discard(staged);
    throw s3Errors.badDigest();
  }
  return staged;
}

function attributesFrom(headers: IncomingHttpHeaders): ObjectAttributes {
  const stored: Record<string, string> = {};
  for (const name of STORED_HEADERS) {
    const value = headers[name];
    if (typeof value === 'string') stored[name] = value;
  }
  if (stored['content-encoding']) {
    const encodings = stored['content-encoding']
      .split(',')
      .map((e) => e.trim())
      .filter((e) => e && e !== 'aws-chunked');
    if (encodings.length > 0) stored['content-encoding'] = encodings.join(',');
    else delete stored['content-encoding'];
  }
  stored['content-type'] ??= 'binary/octet-stream';
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith('x-amz-meta-') && typeof value === 'string') metadata[name.slice('x-amz-meta-'.length)] = value;
  }
  return { headers: stored, metadata };
}

function writeConditions(headers: IncomingHttpHeaders, prefix = '') {
  const ifMatch = headers[`${prefix}if-match`];
  const ifNoneMatch = headers[`${prefix}if-none-match`];
  return {
    ifMatch: typeof ifMatch === 'string' ? ifMatch : undefined,
    ifNoneMatch: typeof ifNoneMatch === 'string' ? ifNoneMatch : undefined,
  };
}

async function putObject(store: ObjectStore, request: S3Request, limits: OperationLimits): Promise<S3Response> {
  const staged = await stageBody(store, request, limits.maxObjectBytes);
  const record = await store.putObject(request.bucket!, request.key!, staged, attributesFrom(request.headers), {
    conditions: writeConditions(request.headers),
    sourceIp: request.sourceIp,
  });
  // The sequencer its event carries: lets `picflow analyze` wait for the execution this very PUT started
  // (an ETag matches any earlier upload of the same bytes). Not an S3 header; clients ignore it.
  return { status: 200, headers: { ETag: `"${record.etag}"`, 'x-picflow-sequencer': record.sequencer } };
}

function objectHeaders(record: ObjectRecord): Record<string, string | number> {
  const headers: Record<string, string | number> = {
    ETag: `"${record.etag}"`,
    'Last-Modified': new Date(record.lastModified).toUTCString(),
    'Accept-Ranges': 'bytes',
  };
  for (const [name, value] of Object.entries(record.headers)) headers[name] = value;
  for (const [name, value] of Object.entries(record.metadata)) headers[`x-amz-meta-${name}`] = value;
  return headers;
}

/** `bytes=a-b`, `bytes=a-`, `bytes=-n` → inclusive bounds; undefined when absent or not one byte range (served whole, as S3 does). */
function parseRange(header: string | undefined, size: number): { start: number; end: number } | undefined {
  if (!header) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0 || size === 0) throw s3Errors.invalidRange(size);
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (match[2] !== '' && Number(match[2]) < start) return undefined;
  if (start >= size) throw s3Errors.invalidRange(size);
  return { start, end };
}

/** RFC 7232 order, as S3 applies it: If-Match, If-Unmodified-Since (412), then If-None-Match, If-Modified-Since (304). */
function checkReadPreconditions(headers: IncomingHttpHeaders, record: ObjectRecord): 'ok' | 'not-modified' {
  const modified = Math.floor(Date.parse(record.lastModified) / 1000) * 1000;
  const ifMatch = headers['if-match'];
  const ifUnmodified = headers['if-unmodified-since'];
  const ifNoneMatch = headers['if-none-match'];
  const ifModified = headers['if-modified-since'];
  if (ifMatch !== undefined) {
    if (!etagMatches(ifMatch, record.etag)) throw s3Errors.preconditionFailed('If-Match');
  } else if (ifUnmodified !== undefined && !Number.isNaN(Date.parse(ifUnmodified)) && modified > Date.parse(ifUnmodified)) {
    throw s3Errors.preconditionFailed('If-Unmodified-Since');
  }
  if (ifNoneMatch !== undefined) {
    if (etagMatches(ifNoneMatch, record.etag)) return 'not-modified';
  } else if (ifModified !== undefined && !Number.isNaN(Date.parse(ifModified)) && modified <= Date.parse(ifModified)) {
    return 'not-modified';
  }
  return 'ok';
}

async function getObject(store: ObjectStore, request: S3Request): Promise<S3Response> {
  const record = await store.head(request.bucket!, request.key!);
  if (!record) throw s3Errors.noSuchKey(request.key!);
  if (checkReadPreconditions(request.headers, record) === 'not-modified') {
    return { status: 304, headers: { ETag: `"${record.etag}"`, 'Last-Modified': new Date(record.lastModified).toUTCString() } };
  }
  const headers = objectHeaders(record);
  for (const [param, header] of Object.entries(RESPONSE_OVERRIDES)) {
    const value = request.query.get(param);
    if (value !== null) headers[header] = value;
  }
  const range = parseRange(typeof request.headers.range === 'string' ? request.headers.range : undefined, record.size);
  if (range) headers['Content-Range'] = `bytes ${range.start}-${range.end}/${record.size}`;
  headers['Content-Length'] = range ? range.end - range.start + 1 : record.size;
  const status = range ? 206 : 200;
  if (request.method === 'HEAD') return { status, headers };
  if (record.size === 0) return { status, headers, body: Buffer.alloc(0) };
  let body: Readable;
  try {
    body = await store.blobs.read(record.blob, range);
  } catch {
    // Replaced or deleted between the lookup and the open: it is gone for this request.
    throw s3Errors.noSuchKey(request.key!);
  }
  return { status, headers, body };
}

async function deleteObject(store: ObjectStore, request: S3Request, bucket: string, key: string): Promise<S3Response> {
  await store.deleteObject(bucket, key, { sourceIp: request.sourceIp });
  return { status: 204, headers: {} };
}

async function readXmlBody(request: S3Request, limits: OperationLimits): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of objectBody(request)) {
    size += (chunk as Buffer).length;
    if (size > limits.maxXmlBytes) throw new S3Error('MaxMessageLengthExceeded', 400, 'Your request was too big.');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function asArray(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? (value as Record<string, unknown>[]) : [];
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
}

async function deleteObjects(store: ObjectStore, request: S3Request, limits: OperationLimits): Promise<S3Response> {
  const bucket = request.bucket!;
  await store.requireBucket(bucket);
  const document = parseXml(await readXmlBody(request, limits), ['Object']);
  const del = document.Delete as Record<string, unknown> | undefined;
  if (!del || typeof del !== 'object') throw s3Errors.malformedXml();
  const objects = asArray(del.Object);
  if (objects.length === 0 || objects.length > 1000) throw s3Errors.malformedXml();
  const quiet = text(del.Quiet).trim() === 'true';
  const deleted: XmlObject[] = [];
  const errors: XmlObject[] = [];
  for (const object of objects) {
    const key = text(object.Key);
    if (!key || Buffer.byteLength(key) > MAX_KEY_BYTES) {
      errors.push({ Key: key, Code: 'KeyTooLongError', Message: 'Invalid key' });
      continue;
    }
    await store.deleteObject(bucket, key, { sourceIp: request.sourceIp });
    if (!quiet) deleted.push({ Key: key });
  }
  return ok(xmlDocument('DeleteResult', { Deleted: deleted, Error: errors }));
}

/** `x-amz-copy-source: [/]bucket/key[?versionId=..]`, URL-encoded. */
function copySource(header: string): { bucket: string; key: string } {
  const path = header.replace(/\?versionId=.*$/, '').replace(/^\//, '');
  const slash = path.indexOf('/');
  if (slash <= 0 || slash === path.length - 1) throw s3Errors.invalidArgument('Invalid copy source object key');
  try {
    return { bucket: decodeURIComponent(path.slice(0, slash)), key: decodeURIComponent(path.slice(slash + 1)) };
  } catch {
    throw s3Errors.invalidArgument('Invalid copy source encoding');
  }
}

async function copyObject(store: ObjectStore, request: S3Request): Promise<S3Response> {
  const source = copySource(text(request.headers['x-amz-copy-source']));
  if (Buffer.byteLength(source.key) > MAX_KEY_BYTES) throw s3Errors.keyTooLong();
  const replace = text(request.headers['x-amz-metadata-directive']).toUpperCase() === 'REPLACE';
  if (!replace && source.bucket === request.bucket && source.key === request.key) {
    throw s3Errors.invalidRequest(
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage " +
        'class, website redirect location or encryption attributes.',
    );
  }
  const record = await store.copyObject(
    { ...source, conditions: writeConditions(request.headers, 'x-amz-copy-source-') },
    request.bucket!,
    request.key!,
    replace ? attributesFrom(request.headers) : undefined,
    { sourceIp: request.sourceIp },
  );
  return ok(xmlDocument('CopyObjectResult', { LastModified: record.lastModified, ETag: `"${record.etag}"` }));
}

// Multipart upload

async function createUpload(store: ObjectStore, request: S3Request): Promise<S3Response> {
  const uploadId = await store.createUpload(request.bucket!, request.key!, attributesFrom(request.headers));
  return ok(xmlDocument('InitiateMultipartUploadResult', { Bucket: request.bucket, Key: request.key, UploadId: uploadId }));
}

function partNumber(query: URLSearchParams): number {
  const raw = query.get('partNumber') ?? '';
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= 1 && n <= 10_000)) throw s3Errors.invalidArgument('Part number must be an integer between 1 and 10000, inclusive');
  return n;
}

async function uploadPart(store: ObjectStore, request: S3Request, limits: OperationLimits): Promise<S3Response> {
  const uploadId = request.query.get('uploadId') ?? '';
  const n = partNumber(request.query);
  await store.getUpload(uploadId, request.bucket!, request.key!);
  const staged = await stageBody(store, request, limits.maxObjectBytes);
  const part = await store.putPart(uploadId, request.bucket!, request.key!, n, staged);
  return { status: 200, headers: { ETag: `"${part.etag}"` } };
}

/** A part copied from (a byte range of) another object: `aws s3 cp/mv` between keys does this above 8 MB. */
async function uploadPartCopy(store: ObjectStore, request: S3Request): Promise<S3Response> {
  const uploadId = request.query.get('uploadId') ?? '';
  const n = partNumber(request.query);
  await store.getUpload(uploadId, request.bucket!, request.key!);
  const source = copySource(text(request.headers['x-amz-copy-source']));
  await store.requireBucket(source.bucket);
  const record = await store.head(source.bucket, source.key);
  if (!record) throw s3Errors.noSuchKey(source.key);
  const conditions = writeConditions(request.headers, 'x-amz-copy-source-');
  if (conditions.ifMatch !== undefined && !etagMatches(conditions.ifMatch, record.etag))
    throw s3Errors.preconditionFailed('x-amz-copy-source-If-Match');
  const rangeHeader = request.headers['x-amz-copy-source-range'];
  const match = typeof rangeHeader === 'string' ? /^bytes=(\d+)-(\d+)$/.exec(rangeHeader) : null;
  if (rangeHeader !== undefined && (!match || Number(match[2]) < Number(match[1]) || Number(match[2]) >= record.size))
    throw s3Errors.invalidRange(record.size);
  const range = match ? { start: Number(match[1]), end: Number(match[2]) } : undefined;
  let body: Readable;
  try {
    body = record.size === 0 ? Readable.from([]) : await store.blobs.read(record.blob, range);
  } catch {
    throw s3Errors.noSuchKey(source.key);
  }
  const staged = await store.stage(body, Number.MAX_SAFE_INTEGER);
  const part = await store.putPart(uploadId, request.bucket!, request.key!, n, staged);
  return ok(xmlDocument('CopyPartResult', { LastModified: part.lastModified, ETag: `"${part.etag}"` }));
}

async function completeUpload(store: ObjectStore, request: S3Request, limits: OperationLimits): Promise<S3Response> {
  const uploadId = request.query.get('uploadId') ?? '';
  await store.getUpload(uploadId, request.bucket!, request.key!);
  const document = parseXml(await readXmlBody(request, limits), ['Part']);
  const root = document.CompleteMultipartUpload as Record<string, unknown> | undefined;
  if (!root || typeof root !== 'object') throw s3Errors.malformedXml();
  const parts = asArray(root.Part).map((part) => {
    const n = text(part.PartNumber).trim();
    if (!/^\d+$/.test(n)) throw s3Errors.malformedXml();
    return { partNumber: Number(n), etag: text(part.ETag).trim() };
  });
  const record = await store.completeUpload(uploadId, request.bucket!, request.key!, parts, limits.maxObjectBytes, {
    sourceIp: request.sourceIp,
  });
  return ok(
    xmlDocument('CompleteMultipartUploadResult', {
      Location: `/${request.bucket}/${encodeURIComponent(request.key!).replace(/%2F/g, '/')}`,
      Bucket: request.bucket,
      Key: request.key,
      ETag: `"${record.etag}"`,
    }),
  );
}

async function abortUpload(store: ObjectStore, request: S3Request): Promise<S3Response> {
  await store.abortUpload(request.query.get('uploadId') ?? '', request.bucket!, request.key!);
  return { status: 204, headers: {} };
}

async function listParts(store: ObjectStore, request: S3Request): Promise<S3Response> {
  const uploadId = request.query.get('uploadId') ?? '';
  await store.getUpload(uploadId, request.bucket!, request.key!);
  const parts = await store.listParts(uploadId);
  return ok(
    xmlDocument('ListPartsResult', {
      Bucket: request.bucket,
      Key: request.key,
      UploadId: uploadId,
      StorageClass: 'STANDARD',
      PartNumberMarker: 0,
      NextPartNumberMarker: parts.at(-1)?.partNumber ?? 0,
      MaxParts: 10_000,
      IsTruncated: false,
      Part: parts.map((p) => ({ PartNumber: p.partNumber, LastModified: p.lastModified, ETag: `"${p.etag}"`, Size: p.size })),
    }),
  );
}

function ok(xml: string): S3Response {
  return { status: 200, headers: { 'Content-Type': 'application/xml' }, body: xml };
}
