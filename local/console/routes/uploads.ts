/** POST /api/uploads?name=FILE (body = the image): PutObject under the upload prefix, so the normal S3 event starts the execution. */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { HttpError, readBody, sendJson } from '../http-responses';
import type { UploadResponse } from '../shared/api-types';
import type { ConsoleContext, Route } from './route';

/** What a file may be called once uploaded: letters, digits and a few safe signs, no path. */
const UPLOAD_NAME = /^[A-Za-z0-9][A-Za-z0-9 ._()-]{0,199}$/;

export function uploadRoutes({ stack }: ConsoleContext): Route[] {
  return [
    {
      method: 'POST',
      path: '/api/uploads',
      handle: async ({ req, res, url }) => {
        const name = url.searchParams.get('name') ?? '';
        if (!UPLOAD_NAME.test(name) || name.includes('..'))
          throw new HttpError(400, 'name must be a plain file name (letters, digits, space, . _ - ( ))');
        // The pipeline's own limit: a larger upload could only fail.
        const body = await readBody(req, stack.config.maxImageBytes);
        if (body.length === 0) throw new HttpError(400, 'empty upload');
        const key = `${stack.uploadPrefix}${name}`;
        const uploadedAt = new Date().toISOString();
        const type = String(req.headers['content-type'] ?? '');
        const put = await stack.clients.s3.send(
          new PutObjectCommand({
            Bucket: stack.bucket,
            Key: key,
            Body: body,
            ContentLength: body.length,
            ContentType: type.startsWith('image/') ? type : undefined,
          }),
        );
        const response: UploadResponse = { key, imageId: `${stack.bucket}/${key}`, etag: put.ETag?.replace(/"/g, ''), uploadedAt };
        sendJson(res, 201, response);
      },
    },
  ];
}
