/** Lists a backfill's objects page by page (ListObjectsV2, as the ItemReader), after a checkpoint's key if given. */
import { paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';

/** One listed object, in the shape of the Distributed Map's ListObjectsV2 item (Etag with its quotes). */
export interface ListedObject {
  Key: string;
  Etag: string;
  Size: number;
  LastModified: string;
}

export interface ListingOptions {
  bucket: string;
  prefix: string;
  /** Resume after this key (ListObjectsV2 StartAfter). */
  startAfter?: string;
  /** Keys per page. @default 1000, as S3 */
  pageSize?: number;
}

/** Every object under the prefix in key order, following continuation tokens. */
export async function* listBackfillObjects(s3: S3Client, options: ListingOptions): AsyncGenerator<ListedObject> {
  const pages = paginateListObjectsV2(
    { client: s3, pageSize: options.pageSize ?? 1000 },
    { Bucket: options.bucket, Prefix: options.prefix, ...(options.startAfter ? { StartAfter: options.startAfter } : {}) },
  );
  for await (const page of pages) {
    for (const object of page.Contents ?? []) {
      if (object.Key === undefined) continue;
      yield {
        Key: object.Key,
        Etag: object.ETag ?? '',
        Size: object.Size ?? 0,
        LastModified: (object.LastModified ?? new Date(0)).toISOString(),
      };
    }
  }
}
