/**
 * POST /images: a small image in the request itself, raw bytes (Content-Type image/...) or base64 JSON
 * (`{ "contentType", "data" }`, as older clients send it), stored under the upload prefix.
 */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ApiError, badRequest, bodyBytes, header, jsonBody, mediaType } from '../shared/http';
import { CONTENT_TYPE_LIST, isImageContentType } from '../shared/image-types';
import type { UploadConfig } from './create-upload';
import { newUpload } from './upload-key';

/**
 * API Gateway and Lambda take request bodies up to 6 MB, and base64 makes 4.5 MB of image 6 MB:
 * larger images go through POST /uploads (presigned, straight to S3).
 */
export const MAX_INLINE_BYTES = 4.5 * 1024 * 1024;

export interface StoredUpload {
  imageId: string;
  key: string;
  bytes: number;
}

export async function storeUpload(event: APIGatewayProxyEventV2, config: UploadConfig, s3: S3Client): Promise<StoredUpload> {
  const { contentType, bytes } = readImage(event);
  const limit = Math.min(MAX_INLINE_BYTES, config.maxImageBytes);
  if (bytes.length === 0)
    throw badRequest('EmptyBody', 'The request has no image; send its bytes as the body, or {"contentType", "data": "<base64>"}.');
  if (bytes.length > limit) {
    throw new ApiError(
      413,
      'TooLarge',
      `The image is ${bytes.length} bytes; send at most ${limit} bytes here, or upload larger images with POST /uploads.`,
    );
  }
  const { key, imageId } = newUpload(config.bucket, config.uploadPrefix, contentType);
  await s3.send(new PutObjectCommand({ Bucket: config.bucket, Key: key, Body: bytes, ContentType: contentType }));
  return { imageId, key, bytes: bytes.length };
}

function readImage(event: APIGatewayProxyEventV2): { contentType: string; bytes: Buffer } {
  const type = mediaType(header(event, 'content-type'));
  if (type === 'application/json') {
    const body = jsonBody(event);
    const contentType = typeof body.contentType === 'string' ? body.contentType.toLowerCase() : undefined;
    if (!isImageContentType(contentType)) throw badRequest('UnsupportedContentType', `Set "contentType" to one of ${CONTENT_TYPE_LIST}.`);
    if (typeof body.data !== 'string' || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(body.data.replace(/\s/g, ''))) {
      throw badRequest('MalformedBase64', 'Set "data" to the image bytes in base64.');
    }
    return { contentType, bytes: Buffer.from(body.data, 'base64') };
  }
  if (!isImageContentType(type)) {
    throw new ApiError(
      415,
      'UnsupportedContentType',
      `Send the image with Content-Type one of ${CONTENT_TYPE_LIST}, or application/json with {"contentType", "data": "<base64>"}.`,
    );
  }
  return { contentType: type, bytes: bodyBytes(event) };
}
