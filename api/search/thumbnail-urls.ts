/** Turns each row's thumbnail key into a short-lived presigned GET, so a grid draws a page of cards with no further API calls. */
import type { S3Client } from '@aws-sdk/client-s3';
import { DOWNLOAD_EXPIRES_SECONDS } from '../shared/api-config';
import { presignGetUrl } from '../shared/presign';
import type { ImagePage } from './query-images';

export async function withThumbnailUrls(page: ImagePage, s3: S3Client, bucket: string, now = new Date()): Promise<ImagePage> {
  const images = await Promise.all(
    page.images.map(async ({ thumbnailKey, ...row }) =>
      // Thumbnails live in the image's bucket, which is this API's: a row of another bucket gets no URL.
      thumbnailKey && row.imageId.startsWith(`${bucket}/`)
        ? { ...row, thumbnailUrl: await presignGetUrl(s3, bucket, thumbnailKey, DOWNLOAD_EXPIRES_SECONDS, now) }
        : row,
    ),
  );
  return { ...page, images };
}
