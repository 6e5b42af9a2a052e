// The API's handlers against the real local stack (its S3, DynamoDB, THE definition, the real tasks and
// the local Rekognition): presigned POST upload and uploads in the body → analysis → get (the presigned
// thumbnail URL downloads and decodes) → find by label and by status over more than one page → delete
// (every object and index entry gone; a second delete is fine).
import { readFileSync } from 'node:fs';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import sharp from 'sharp';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { run as runImages } from '../../api/images/handler';
import { run as runSearch } from '../../api/search/handler';
import { run as runUploads } from '../../api/uploads/handler';
import type { ApiResponse } from '../../api/shared/http';
import { startLocalStack, type LocalStack } from '../../local/stack/local-stack';
import { fixturePath, tempDir } from '../e2e/support';
import { apiEvent } from './events';
import { expectDocumented } from './openapi-check';

jest.setTimeout(240_000);

// The handlers, run with the stack's configuration and clients (set once the stack is up).
type Handler = (event: APIGatewayProxyEventV2) => Promise<ApiResponse>;
let uploadsHandler: Handler;
let imagesHandler: Handler;
let searchHandler: Handler;

const body = (response: ApiResponse) => JSON.parse(response.body);
const get = (imageId: string) => imagesHandler(apiEvent('GET /images/{imageId+}', { pathParameters: { imageId } }));
const find = (query: Record<string, string>) => searchHandler(apiEvent('GET /images', { queryStringParameters: query }));

/** Every page of a query, following nextToken. */
async function allPages(query: Record<string, string>): Promise<{ pages: number; ids: string[] }> {
  const ids: string[] = [];
  let pages = 0;
  let nextToken: string | undefined;
  do {
    const response = await find({ ...query, ...(nextToken ? { nextToken } : {}) });
    expectDocumented('get', '/images', response);
    expect(response.statusCode).toBe(200);
    pages += 1;
    ids.push(...body(response).images.map((row: { imageId: string }) => row.imageId));
    nextToken = body(response).nextToken;
  } while (nextToken);
  return { pages, ids };
}

describe('HTTP API handlers on the local stack', () => {
  const data = tempDir('api');
  let stack: LocalStack;
  const cat = readFileSync(fixturePath('chelsea.png'));
  const ids: string[] = [];

  beforeAll(async () => {
    // Labels only: the label index is what is under test, and the cheapest analysis that feeds it.
    stack = await startLocalStack({ dataDir: data.path, recover: false, rekognitionWorkers: 1, taskEnvironment: { ANALYSES: 'labels' } });
    process.env.BUCKET_NAME = stack.bucket;
    // The handlers run with this stack's configuration and clients, as picflow dev will serve them.
    uploadsHandler = (event) => runUploads(event, stack.tasks);
    imagesHandler = (event) => runImages(event, stack.tasks);
    searchHandler = (event) => runSearch(event, stack.tasks);

    // One upload through a presigned POST, straight to S3 as a browser form would send it
    const upload = await uploadsHandler(
      apiEvent('POST /uploads', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ contentType: 'image/png' }) }),
    );
    expectDocumented('post', '/uploads', upload);
    const { url, fields, imageId } = body(upload);
    const form = new FormData();
    for (const [name, value] of Object.entries(fields as Record<string, string>)) form.append(name, value);
    form.append('file', new Blob([cat], { type: 'image/png' }), 'chelsea.png');
    const posted = await fetch(url, { method: 'POST', body: form });
    expect(posted.status).toBe(204);
    ids.push(imageId);

    // Two in the request body: raw bytes, and base64 JSON
    const raw = await uploadsHandler(
      apiEvent('POST /images', { headers: { 'content-type': 'image/png' }, body: cat.toString('base64'), isBase64Encoded: true }),
    );
    const json = await uploadsHandler(
      apiEvent('POST /images', {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ contentType: 'image/png', data: cat.toString('base64') }),
      }),
    );
    for (const response of [raw, json]) {
      expectDocumented('post', '/images', response);
      ids.push(body(response).imageId);
    }

    // Analysis runs on the S3 events; wait until each image has its final status
    for (const id of ids) {
      while (!['SUCCEEDED', 'PARTIAL', 'FAILED'].includes(body(await get(id)).status)) await new Promise((r) => setTimeout(r, 100));
    }
  });

  afterAll(async () => {
    delete process.env.BUCKET_NAME;
    await stack?.close();
    data.remove();
  });

  it('refuses a presigned POST of another content type (S3 enforces the policy)', async () => {
    // Prepare
    const { url, fields } = body(
      await uploadsHandler(
        apiEvent('POST /uploads', { headers: { 'content-type': 'application/json' }, body: '{"contentType":"image/jpeg"}' }),
      ),
    );
    const send = (type: string) => {
      const form = new FormData();
      for (const [name, value] of Object.entries(fields as Record<string, string>))
        form.append(name, name === 'Content-Type' ? type : value);
      // A small file: the local S3 refuses before reading the body, and a 240 KB unread body left the
      // kept-alive connection unusable for the next fetch (seen: "fetch failed" 6 s later).
      form.append('file', new Blob([cat.subarray(0, 64)], { type }), 'x');
      return fetch(url, { method: 'POST', body: form });
    };

    // Act
    const html = await send('text/html');

    // Assess
    expect(html.status).toBe(403);
    expect(await html.text()).toContain('<Code>AccessDenied</Code>');
  });

  it('gets each image with its labels and a presigned thumbnail URL that downloads a decodable JPEG', async () => {
    for (const id of ids) {
      // Act
      const response = await get(id);

      // Assess
      expectDocumented('get', '/images/{imageId}', response);
      const image = body(response);
      expect(image).toMatchObject({ imageId: id, status: 'SUCCEEDED' });
      expect(image.labels.map((l: { name: string }) => l.name)).toContain('Cat');
      const thumbnail = await fetch(image.thumbnails[0].url);
      expect(thumbnail.status).toBe(200);
      const metadata = await sharp(Buffer.from(await thumbnail.arrayBuffer())).metadata();
      expect({ format: metadata.format, width: metadata.width }).toEqual({ format: 'jpeg', width: image.thumbnails[0].width });
      expect((await fetch(image.original.url)).status).toBe(200);
    }
  });

  it('finds the images by label (any case, with a minimum confidence) and by status, newest first, over several pages', async () => {
    // Act
    const byLabel = await allPages({ label: 'cat', minConfidence: '50', limit: '2' });
    const byStatus = await allPages({ status: 'SUCCEEDED', limit: '2' });
    const none = await allPages({ label: 'cat', minConfidence: '100' });

    // Assess
    expect(byLabel.pages).toBeGreaterThan(1);
    expect(new Set(byLabel.ids)).toEqual(new Set(ids));
    expect(byLabel.ids).toHaveLength(ids.length);
    expect(byStatus.pages).toBeGreaterThan(1);
    expect(byStatus.ids).toHaveLength(ids.length);
    expect(new Set(byStatus.ids)).toEqual(new Set(ids));
    expect(none.ids).toEqual([]);
  });

  it('deletes an image: its objects, item and index entries go; a second delete is fine', async () => {
    // Prepare
    const id = ids[0];
    const image = body(await get(id));
    const keys = [
      image.key,
      ...image.thumbnails.map((t: { url: string }) => decodeURIComponent(new URL(t.url).pathname.split('/').slice(2).join('/'))),
    ];

    // Act
    const first = await imagesHandler(apiEvent('DELETE /images/{imageId+}', { pathParameters: { imageId: id } }));
    const second = await imagesHandler(apiEvent('DELETE /images/{imageId+}', { pathParameters: { imageId: id } }));

    // Assess
    expectDocumented('delete', '/images/{imageId}', first);
    expect([first.statusCode, second.statusCode]).toEqual([204, 204]);
    for (const key of keys) {
      await expect(stack.clients.s3.send(new HeadObjectCommand({ Bucket: stack.bucket, Key: key }))).rejects.toMatchObject({
        name: 'NotFound',
      });
    }
    const missing = await get(id);
    expectDocumented('get', '/images/{imageId}', missing);
    expect(missing.statusCode).toBe(404);
    const { Items = [] } = await stack.clients.dynamodb.send(new ScanCommand({ TableName: stack.tableName }));
    expect(Items.filter((item) => item.imageId.S!.includes(id) || item.imageOf?.S === id)).toEqual([]);
    expect((await allPages({ label: 'cat' })).ids).not.toContain(id);
  });
});
