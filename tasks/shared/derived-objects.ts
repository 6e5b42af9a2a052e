/**
 * The objects picflow derives from an upload, as its item names them (thumbnails, the normalized copy, the
 * raw results): listed for a delete (api/images/delete-image.ts), and removed by a StoreResult that finds its
 * image deleted while it ran.
 */
import { DeleteObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { callAws } from './errors';
import { parseS3Uri } from './s3-objects';
import type { ImageItem } from './types';

/** Every object picflow wrote for the item, in this bucket. */
export function derivedKeys(item: Pick<ImageItem, 'thumbnails' | 'rawResults' | 'analysisObject'>, bucket: string): string[] {
  const raw = Object.values(item.rawResults ?? {})
    .filter((uri): uri is string => typeof uri === 'string')
    .map(parseS3Uri);
  return [
    ...(item.thumbnails ?? []).map((t) => t.key),
    ...[...raw, ...(item.analysisObject ? [item.analysisObject] : [])].filter((o) => o.bucket === bucket).map((o) => o.key),
  ];
}

/** Deletes them; S3 answers 204 for a key that does not exist, so a retry is the same calls, all successful. */
export async function deleteDerivedObjects(
  s3: S3Client,
  item: Pick<ImageItem, 'thumbnails' | 'rawResults' | 'analysisObject'>,
  bucket: string,
): Promise<void> {
  await Promise.all(
    [...new Set(derivedKeys(item, bucket))].map((Key) => callAws('S3', () => s3.send(new DeleteObjectCommand({ Bucket: bucket, Key })))),
  );
}
