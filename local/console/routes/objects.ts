/** GET /api/images?id=BUCKET/KEY (the image's DynamoDB item) and GET /api/objects?key=KEY (an upload or thumbnail). */
import type { ServerResponse } from 'node:http';
import { extname } from 'node:path';
import type { Readable } from 'node:stream';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { LocalStack } from '../../stack/local-stack';
import { hasControlCharacters, HttpError, sendJson } from '../http-responses';
import type { ConsoleContext, Route } from './route';

const IMAGE_TYPES: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
  '.heic': 'image/heic',
  '.heif': 'image/heif',
};

export function objectRoutes({ stack, readablePrefixes }: ConsoleContext): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/images',
      handle: async ({ res, url }) => {
        const id = url.searchParams.get('id') ?? '';
        if (!id.startsWith(`${stack.bucket}/`) || id.length > 1100 || hasControlCharacters(id))
          throw new HttpError(400, 'id must be bucket/key of an image');
        const { Item } = await stack.clients.dynamodb.send(
          new GetItemCommand({ TableName: stack.tableName, Key: { imageId: { S: id } }, ConsistentRead: true }),
        );
        if (!Item) throw new HttpError(404, `no item for ${id}`);
        sendJson(res, 200, unmarshall(Item));
      },
    },
    {
      method: 'GET',
      path: '/api/objects',
      handle: ({ res, url }) => sendObject(stack, validObjectKey(url.searchParams.get('key'), readablePrefixes), res),
    },
  ];
}

/** Keys of uploads, thumbnails and normalized copies only; nothing with `..`, `//` or control characters. */
function validObjectKey(key: string | null, prefixes: string[]): string {
  if (!key || key.length > 1024 || hasControlCharacters(key) || key.startsWith('/') || key.includes('\\'))
    throw new HttpError(400, 'not an object key');
  if (key.split('/').some((segment) => segment === '..' || segment === '.')) throw new HttpError(400, 'not an object key');
  if (!prefixes.some((prefix) => key.startsWith(prefix))) throw new HttpError(403, `only keys under ${prefixes.join(', ')} are served`);
  return key;
}

async function sendObject(stack: LocalStack, key: string, res: ServerResponse): Promise<void> {
  let object;
  try {
    object = await stack.clients.s3.send(new GetObjectCommand({ Bucket: stack.bucket, Key: key }));
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'NoSuchKey' || name === 'NotFound') throw new HttpError(404, `no object ${key}`);
    throw error;
  }
  const guessed = IMAGE_TYPES[extname(key).toLowerCase()];
  const stored = object.ContentType?.startsWith('image/') && !object.ContentType.includes('svg') ? object.ContentType : undefined;
  const type = stored ?? guessed;
  res.writeHead(200, {
    'Content-Type': type ?? 'application/octet-stream',
    ...(type ? {} : { 'Content-Disposition': 'attachment' }),
    ...(object.ContentLength !== undefined ? { 'Content-Length': String(object.ContentLength) } : {}),
    'Cache-Control': 'no-cache',
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "default-src 'none'",
  });
  const body = object.Body as Readable;
  body.pipe(res);
  await new Promise<void>((done) => {
    res.on('close', () => done());
    body.on('error', () => {
      res.destroy();
      done();
    });
  });
}
