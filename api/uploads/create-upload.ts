/** POST /uploads: a presigned S3 POST for a server-chosen key, limited by its policy to images up to the pipeline's size limit. */
import type { S3Client } from '@aws-sdk/client-s3';
import type { PicflowConfig } from '../../tasks/shared/config';
import { badRequest } from '../shared/http';
import { CONTENT_TYPE_LIST, isImageContentType } from '../shared/image-types';
import { presignPost, type PresignedPost } from '../shared/presign';
import { newUpload } from './upload-key';

/** How long the form may be used: long enough for a slow phone upload of the largest image. */
export const UPLOAD_EXPIRES_SECONDS = 15 * 60;

export interface UploadConfig extends Pick<PicflowConfig, 'uploadPrefix' | 'maxImageBytes'> {
  bucket: string;
}

export interface CreatedUpload extends PresignedPost {
  imageId: string;
  key: string;
  maxBytes: number;
}

export async function createUpload(
  request: Record<string, unknown>,
  config: UploadConfig,
  s3: S3Client,
  now = new Date(),
): Promise<CreatedUpload> {
  const contentType = typeof request.contentType === 'string' ? request.contentType.toLowerCase() : undefined;
  if (!isImageContentType(contentType)) {
    throw badRequest(
      'UnsupportedContentType',
      `Set "contentType" to one of ${CONTENT_TYPE_LIST}${request.contentType === undefined ? '' : ` (got ${JSON.stringify(request.contentType)})`}.`,
    );
  }
  const { key, imageId } = newUpload(config.bucket, config.uploadPrefix, contentType);
  const post = await presignPost(s3, {
    bucket: config.bucket,
    key,
    fields: { 'Content-Type': contentType },
    // S3 enforces these, not the caller's good will: only this key, this image type, 1 byte up to the limit.
    conditions: [['content-length-range', 1, config.maxImageBytes]],
    expiresIn: UPLOAD_EXPIRES_SECONDS,
    now,
  });
  return { ...post, imageId, key, maxBytes: config.maxImageBytes };
}
