/**
 * One-time import of a data directory written by s3rver (picflow's local S3 before this store):
 * `<dir>/<bucket>/<key as path>._S3rver_object` plus `._S3rver_metadata.json`. Objects come in with
 * their content type and metadata, ETags recomputed from the bytes (s3rver's were plain MD5s, also
 * for multipart uploads); pending multipart uploads are dropped. The old tree is then moved aside to
 * `<dir>/s3rver-imported/`, so the import runs once and nothing is deleted.
 */
import { createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { ObjectStore } from './object-store';

const OBJECT_SUFFIX = '._S3rver_object';
const METADATA_SUFFIX = '._S3rver_metadata.json';
const UPLOADS_DIR = '._S3rver_uploads';
/** The store's own entries in its directory; anything else that looks like a bucket is s3rver's. */
const OWN_ENTRIES = new Set(['index', 'blobs', 'tmp', 's3rver-imported']);
const STORED_HEADERS = ['content-type', 'cache-control', 'content-disposition', 'content-encoding', 'content-language', 'expires'];

export interface ImportReport {
  buckets: string[];
  objects: number;
  skipped: string[];
  movedTo?: string;
}

/** s3rver bucket directories in `directory` (none once imported). */
export function s3rverBuckets(directory: string): string[] {
  if (!existsSync(directory)) return [];
  return readdirSync(directory, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !OWN_ENTRIES.has(entry.name) && /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(entry.name))
    .map((entry) => entry.name);
}

export async function importS3rverData(directory: string, store: ObjectStore): Promise<ImportReport> {
  const buckets = s3rverBuckets(directory);
  const report: ImportReport = { buckets, objects: 0, skipped: [] };
  if (buckets.length === 0) return report;
  for (const bucket of buckets) {
    await store.createBucket(bucket);
    const root = join(directory, bucket);
    for (const file of walk(root)) {
      if (!file.endsWith(OBJECT_SUFFIX)) continue;
      const key = relative(root, file).split(sep).join('/').slice(0, -OBJECT_SUFFIX.length);
      try {
        const staged = await store.stage(createReadStream(file), Number.MAX_SAFE_INTEGER);
        // Imported objects start no executions here: start-up recovery finds uploads without a result.
        await store.putObject(bucket, key, staged, readAttributes(file.slice(0, -OBJECT_SUFFIX.length) + METADATA_SUFFIX), { emit: false });
        report.objects += 1;
      } catch (error) {
        report.skipped.push(`${bucket}/${key}: ${(error as Error).message}`);
      }
    }
  }
  const aside = join(directory, 's3rver-imported');
  mkdirSync(aside, { recursive: true });
  for (const bucket of buckets) renameSync(join(directory, bucket), join(aside, `${bucket}-${Date.now()}`));
  report.movedTo = aside;
  return report;
}

/** Content type and user metadata from s3rver's metadata file; a torn (0-byte) file counts as none. */
function readAttributes(path: string): { headers: Record<string, string>; metadata: Record<string, string> } {
  let stored: Record<string, unknown> = {};
  try {
    stored = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch {
    stored = {};
  }
  const headers: Record<string, string> = {};
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(stored)) {
    if (typeof value !== 'string') continue;
    if (STORED_HEADERS.includes(name)) headers[name] = value;
    else if (name.startsWith('x-amz-meta-')) metadata[name.slice('x-amz-meta-'.length)] = value;
  }
  headers['content-type'] ??= 'binary/octet-stream';
  return { headers, metadata };
}

function* walk(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== UPLOADS_DIR) yield* walk(path);
    } else if (entry.isFile()) {
      yield path;
    }
  }
}
