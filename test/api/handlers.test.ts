// The API's handlers with mocked AWS clients: every route, every documented 4xx, and every response
// checked against api/openapi.json.
import { DeleteFacesCommand, RekognitionClient } from '@aws-sdk/client-rekognition';
import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { BatchWriteCommand, DeleteCommand, DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { handler as imagesHandler } from '../../api/images/handler';
import openapi from '../../api/openapi.json';
import { handler as openApiHandler } from '../../api/openapi/handler';
import { handler as searchHandler } from '../../api/search/handler';
import { handler as uploadsHandler } from '../../api/uploads/handler';
import { resetClients } from '../../tasks/shared/aws-clients';
import { labelEntryId, statusKey } from '../../tasks/shared/image-indexes';
import { apiEvent } from './events';
import { expectDocumented } from './openapi-check';

const ddb = mockClient(DynamoDBDocumentClient);
const s3 = mockClient(S3Client);
const IMAGE_ID = 'picflow-uploads/uploads/cat.jpg';

const storedItem = {
  imageId: IMAGE_ID,
  bucket: 'picflow-uploads',
  key: 'uploads/cat.jpg',
  size: 1234,
  status: 'SUCCEEDED',
  statusReason: 'SUCCEEDED: 1 thumbnail',
  uploadedAt: '2026-11-23T18:00:00.000Z',
  labels: [{ name: 'Dog', confidence: 91, parents: ['Animal'], instances: [] }],
  moderation: { verdict: 'safe', labels: [] },
  thumbnails: [
    { name: 'cover-128x128', key: 'thumbnails/cat.jpg/abc/cover-128x128.jpg', width: 128, height: 128, fit: 'cover', bytes: 900 },
  ],
  rawResults: { labels: 's3://picflow-uploads/analysis/cat.jpg/abc/labels.json', faces: 's3://another-bucket/analysis/faces.json' },
  analysisObject: { bucket: 'picflow-uploads', key: 'normalized/cat.jpg/abc.jpg' },
  labelIndex: new Set(['dog', 'animal']),
};

beforeEach(() => {
  ddb.reset();
  s3.reset();
  resetClients();
  Object.assign(process.env, {
    TABLE_NAME: 'images',
    BUCKET_NAME: 'picflow-uploads',
    MAX_IMAGE_BYTES: '1000000',
    AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9000',
    S3_FORCE_PATH_STYLE: 'true',
  });
});

afterAll(() => {
  for (const name of ['TABLE_NAME', 'BUCKET_NAME', 'MAX_IMAGE_BYTES', 'AWS_ENDPOINT_URL_S3', 'S3_FORCE_PATH_STYLE'])
    delete process.env[name];
  resetClients();
});

const jsonEvent = (routeKey: string, body: unknown) =>
  apiEvent(routeKey, { headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });

describe('Function: uploads handler', () => {
  it('answers POST /uploads with a presigned POST for a server-chosen key, limited to the image type and MAX_IMAGE_BYTES', async () => {
    // Act
    const response = await uploadsHandler(jsonEvent('POST /uploads', { contentType: 'image/png' }));

    // Assess
    expectDocumented('post', '/uploads', response);
    expect(response.statusCode).toBe(201);
    const body = JSON.parse(response.body);
    expect(body.url).toBe('http://127.0.0.1:9000/picflow-uploads');
    expect(body.key).toMatch(/^uploads\/[0-9a-f-]{36}\.png$/);
    expect(body.imageId).toBe(`picflow-uploads/${body.key}`);
    const policy = JSON.parse(Buffer.from(body.fields.Policy, 'base64').toString());
    expect(policy.conditions).toEqual(
      expect.arrayContaining([
        { key: body.key },
        { 'Content-Type': 'image/png' },
        { bucket: 'picflow-uploads' },
        ['content-length-range', 1, 1000000],
      ]),
    );
    expect(body.fields['X-Amz-Signature']).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    ['a content type that is not an image', { contentType: 'text/html' }, 400, 'UnsupportedContentType'],
    ['no content type', {}, 400, 'UnsupportedContentType'],
    ['malformed JSON', '{"contentType": ', 400, 'MalformedJson'],
    ['a JSON array', '[]', 400, 'MalformedJson'],
  ])('refuses POST /uploads with %s', async (_, body, status, code) => {
    // Act
    const response = await uploadsHandler(jsonEvent('POST /uploads', body));

    // Assess
    expectDocumented('post', '/uploads', response);
    expect(response.statusCode).toBe(status);
    expect(JSON.parse(response.body)).toEqual({ code, message: expect.stringMatching(/^(Set|The request body)/), requestId: 'req-1' });
  });

  it('stores raw image bytes from POST /images under the upload prefix', async () => {
    // Prepare
    s3.on(PutObjectCommand).resolves({});
    const bytes = Buffer.from('\x89PNG fake bytes');

    // Act
    const response = await uploadsHandler(
      apiEvent('POST /images', { headers: { 'Content-Type': 'image/png' }, body: bytes.toString('base64'), isBase64Encoded: true }),
    );

    // Assess
    expectDocumented('post', '/images', response);
    expect(response.statusCode).toBe(202);
    const body = JSON.parse(response.body);
    const put = s3.commandCalls(PutObjectCommand)[0].args[0].input;
    expect(put).toMatchObject({ Bucket: 'picflow-uploads', Key: body.key, ContentType: 'image/png' });
    expect(Buffer.from(put.Body as Uint8Array)).toEqual(bytes);
    expect(body).toEqual({ imageId: `picflow-uploads/${body.key}`, key: expect.stringMatching(/^uploads\/.+\.png$/), bytes: bytes.length });
  });

  it('stores a base64 JSON image from POST /images, as older clients send it', async () => {
    // Prepare
    s3.on(PutObjectCommand).resolves({});

    // Act
    const response = await uploadsHandler(
      jsonEvent('POST /images', { contentType: 'image/jpeg', data: Buffer.from('jpeg bytes').toString('base64') }),
    );

    // Assess
    expectDocumented('post', '/images', response);
    expect(response.statusCode).toBe(202);
    expect(Buffer.from(s3.commandCalls(PutObjectCommand)[0].args[0].input.Body as Uint8Array).toString()).toBe('jpeg bytes');
  });

  it.each([
    ['a text body', { headers: { 'content-type': 'text/plain' }, body: 'hello' }, 415, 'UnsupportedContentType'],
    ['no body', { headers: { 'content-type': 'image/jpeg' } }, 400, 'EmptyBody'],
    [
      'an image over MAX_IMAGE_BYTES',
      { headers: { 'content-type': 'image/jpeg' }, body: Buffer.alloc(1_000_001).toString('base64'), isBase64Encoded: true },
      413,
      'TooLarge',
    ],
    ['malformed JSON', { headers: { 'content-type': 'application/json' }, body: '{' }, 400, 'MalformedJson'],
    [
      'JSON data that is not base64',
      { headers: { 'content-type': 'application/json' }, body: '{"contentType":"image/png","data":"%%%"}' },
      400,
      'MalformedBase64',
    ],
  ])('refuses POST /images with %s and stores nothing', async (_, parts, status, code) => {
    // Act
    const response = await uploadsHandler(apiEvent('POST /images', parts));

    // Assess
    expectDocumented('post', '/images', response);
    expect(response.statusCode).toBe(status);
    expect(JSON.parse(response.body).code).toBe(code);
    expect(s3).not.toHaveReceivedCommand(PutObjectCommand);
  });

  it('answers 500 with the error shape and no stack trace when S3 fails', async () => {
    // Prepare
    s3.on(PutObjectCommand).rejects(new Error('socket hang up at Object.<anonymous> (/var/task/index.js:1:1)'));

    // Act
    const response = await uploadsHandler(apiEvent('POST /images', { headers: { 'content-type': 'image/png' }, body: 'png' }));

    // Assess
    expectDocumented('post', '/images', response);
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toMatch(/index\.js|socket/);
  });
});

describe('Function: images handler', () => {
  const imageEvent = (method: 'GET' | 'DELETE', id: string) =>
    apiEvent(`${method} /images/{imageId+}`, { pathParameters: { imageId: id } });

  it('answers GET with the analysis and presigned URLs for the original and each thumbnail', async () => {
    // Prepare
    ddb.on(GetCommand).resolves({ Item: storedItem });

    // Act
    const response = await imagesHandler(imageEvent('GET', encodeURIComponent(IMAGE_ID)));

    // Assess
    expectDocumented('get', '/images/{imageId}', response);
    expect(response.statusCode).toBe(200);
    const body = JSON.parse(response.body);
    expect(body).toMatchObject({ imageId: IMAGE_ID, status: 'SUCCEEDED', labels: storedItem.labels, moderation: storedItem.moderation });
    const original = new URL(body.original.url);
    expect(`${original.origin}${original.pathname}`).toBe('http://127.0.0.1:9000/picflow-uploads/uploads/cat.jpg');
    expect(original.searchParams.get('X-Amz-Expires')).toBe('300');
    expect(original.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(new URL(body.thumbnails[0].url).pathname).toBe('/picflow-uploads/thumbnails/cat.jpg/abc/cover-128x128.jpg');
    expect(body).not.toHaveProperty('labelIndex');
  });

  it.each([
    ['an id that is not in the table', IMAGE_ID],
    ['an id outside the upload prefix', 'picflow-uploads/thumbnails/cat.jpg/abc/cover-128x128.jpg'],
    ['a label entry id', labelEntryId(IMAGE_ID, 'dog')],
  ])('answers GET for %s with a 404 JSON error', async (_, id) => {
    // Prepare
    ddb.on(GetCommand).resolves({});

    // Act
    const response = await imagesHandler(imageEvent('GET', id));

    // Assess
    expectDocumented('get', '/images/{imageId}', response);
    expect(response.statusCode).toBe(404);
    expect(JSON.parse(response.body)).toMatchObject({ code: 'NotFound', requestId: 'req-1' });
  });

  it('DELETE removes the original, thumbnails, normalized copy and raw results, the label entries, then the item', async () => {
    // Prepare
    ddb.on(GetCommand).resolves({ Item: storedItem });
    ddb.on(BatchWriteCommand).resolves({});
    ddb.on(DeleteCommand).resolves({});
    s3.on(DeleteObjectCommand).resolves({});

    // Act
    const response = await imagesHandler(imageEvent('DELETE', IMAGE_ID));

    // Assess
    expectDocumented('delete', '/images/{imageId}', response);
    expect(response.statusCode).toBe(204);
    expect(
      s3
        .commandCalls(DeleteObjectCommand)
        .map((c) => c.args[0].input.Key)
        .sort(),
    ).toEqual(
      [
        'analysis/cat.jpg/abc/labels.json',
        'normalized/cat.jpg/abc.jpg',
        'thumbnails/cat.jpg/abc/cover-128x128.jpg',
        'uploads/cat.jpg',
      ].sort(),
    );
    const deletes = ddb.commandCalls(BatchWriteCommand)[0].args[0].input.RequestItems!.images.map((r) => r.DeleteRequest?.Key?.imageId);
    expect(deletes.sort()).toEqual([labelEntryId(IMAGE_ID, 'animal'), labelEntryId(IMAGE_ID, 'dog')].sort());
    expect(ddb).toHaveReceivedCommandWith(DeleteCommand, { Key: { imageId: IMAGE_ID } });
    // The item goes last, so a delete that fails halfway can be repeated and still finds its objects
    const order = ddb.calls().map((c) => c.args[0].constructor.name);
    expect(order.at(-1)).toBe('DeleteCommand');
  });

  describe('with a face collection', () => {
    const rekognition = mockClient(RekognitionClient);
    beforeEach(() => {
      rekognition.reset();
      process.env.FACE_COLLECTION_ID = 'picflow-faces';
    });
    afterAll(() => delete process.env.FACE_COLLECTION_ID);

    it("DELETE deletes the image's faces from the collection before the item: biometric data does not outlive its photo", async () => {
      // Prepare
      const withFaces = {
        ...storedItem,
        faceIndex: new Set(['face-1', 'face-2']),
        faces: [{ faceId: 'face-1', box: { left: 0, top: 0, width: 1, height: 1 }, confidence: 99, emotions: [] }],
      };
      ddb.on(GetCommand).resolves({ Item: withFaces });
      ddb.on(BatchWriteCommand).resolves({});
      ddb.on(DeleteCommand).resolves({});
      s3.on(DeleteObjectCommand).resolves({});
      rekognition.on(DeleteFacesCommand).resolves({ DeletedFaces: ['face-1', 'face-2'] });

      // Act
      const response = await imagesHandler(imageEvent('DELETE', IMAGE_ID));

      // Assess
      expect(response.statusCode).toBe(204);
      expect(rekognition).toHaveReceivedCommandWith(DeleteFacesCommand, { CollectionId: 'picflow-faces', FaceIds: ['face-1', 'face-2'] });
      expect(ddb).toHaveReceivedCommandWith(DeleteCommand, { Key: { imageId: IMAGE_ID } });
    });

    it('DELETE keeps the item when the faces cannot be deleted, so a repeat finds them again', async () => {
      // Prepare
      ddb.on(GetCommand).resolves({ Item: { ...storedItem, faceIndex: new Set(['face-1']) } });
      ddb.on(BatchWriteCommand).resolves({});
      s3.on(DeleteObjectCommand).resolves({});
      rekognition
        .on(DeleteFacesCommand)
        .rejects(Object.assign(new Error('down'), { name: 'InternalServerError', $metadata: { httpStatusCode: 500 } }));

      // Act
      const response = await imagesHandler(imageEvent('DELETE', IMAGE_ID));

      // Assess
      expect(response.statusCode).toBeGreaterThanOrEqual(500);
      expect(ddb).not.toHaveReceivedCommand(DeleteCommand);
    });
  });

  it('DELETE of an image that is already gone is a 204 that deletes only the original key', async () => {
    // Prepare
    ddb.on(GetCommand).resolves({});
    s3.on(DeleteObjectCommand).resolves({});

    // Act
    const response = await imagesHandler(imageEvent('DELETE', IMAGE_ID));

    // Assess
    expectDocumented('delete', '/images/{imageId}', response);
    expect(response.statusCode).toBe(204);
    expect(s3.commandCalls(DeleteObjectCommand).map((c) => c.args[0].input.Key)).toEqual(['uploads/cat.jpg']);
    expect(ddb).not.toHaveReceivedCommand(DeleteCommand);
  });
});

describe('Function: search handler', () => {
  const search = (query: Record<string, string>) => searchHandler(apiEvent('GET /images', { queryStringParameters: query }));
  const row = (id: string, uploadedAt: string, partition: string) => ({
    imageId: id,
    key: id.split('/').slice(1).join('/'),
    status: 'SUCCEEDED',
    uploadedAt,
    statusKey: partition,
  });

  it('merges the status shards newest first, and resumes from the token without repeating or skipping', async () => {
    // Prepare: two shards with interleaved upload times
    const [s0, s1] = [`SUCCEEDED#0`, `SUCCEEDED#1`];
    const rows: Record<string, ReturnType<typeof row>[]> = {
      [s0]: [row('b/uploads/4', '2026-01-04T00:00:00.000Z', s0), row('b/uploads/1', '2026-01-01T00:00:00.000Z', s0)],
      [s1]: [row('b/uploads/3', '2026-01-03T00:00:00.000Z', s1), row('b/uploads/2', '2026-01-02T00:00:00.000Z', s1)],
    };
    ddb.on(QueryCommand).callsFake((input) => {
      const all = rows[input.ExpressionAttributeValues[':p']] ?? [];
      const start = input.ExclusiveStartKey ? all.findIndex((r) => r.imageId === input.ExclusiveStartKey.imageId) + 1 : 0;
      const items = all.slice(start, start + input.Limit);
      return {
        Items: items,
        ...(start + input.Limit < all.length
          ? {
              LastEvaluatedKey: {
                imageId: items.at(-1)!.imageId,
                statusKey: items.at(-1)!.statusKey,
                uploadedAt: items.at(-1)!.uploadedAt,
              },
            }
          : {}),
      };
    });

    // Act
    const first = await search({ status: 'succeeded', limit: '3' });
    const second = await search({ status: 'SUCCEEDED', limit: '3', nextToken: JSON.parse(first.body).nextToken });

    // Assess
    expectDocumented('get', '/images', first);
    expectDocumented('get', '/images', second);
    expect(JSON.parse(first.body).images.map((r: { imageId: string }) => r.imageId)).toEqual(['b/uploads/4', 'b/uploads/3', 'b/uploads/2']);
    expect(JSON.parse(second.body)).toEqual({ images: [expect.objectContaining({ imageId: 'b/uploads/1', status: 'SUCCEEDED' })] });
    // Every shard of the status is read, never a scan
    const partitions = new Set(ddb.commandCalls(QueryCommand).map((c) => c.args[0].input.ExpressionAttributeValues![':p']));
    expect(partitions).toEqual(new Set([0, 1, 2, 3].map((shard) => `SUCCEEDED#${shard}`)));
    expect(
      ddb
        .commandCalls(QueryCommand)
        .every((c) => c.args[0].input.IndexName === 'byStatusTime' && c.args[0].input.ScanIndexForward === false),
    ).toBe(true);
  });

  it("returns each row's card (faces, top labels, verdict) and a presigned URL of its smallest thumbnail, with no GET", async () => {
    // Prepare: a label entry carrying its image's card
    const card = { f: 2, l: ['Dog', 'Animal', 'Pet'], v: 'safe', t: 'thumbnails/uploads/dog.jpg/abc/cover-128x128.jpg' };
    ddb.on(QueryCommand).callsFake((input) =>
      input.ExpressionAttributeValues[':p'] === 'label#dog#90'
        ? {
            Items: [
              {
                imageId: labelEntryId('picflow-uploads/uploads/dog.jpg', 'dog'),
                imageOf: 'picflow-uploads/uploads/dog.jpg',
                key: 'uploads/dog.jpg',
                uploadedAt: '2026-01-02T00:00:00.000Z',
                labelKey: 'label#dog#90',
                confidence: 97,
                card,
              },
            ],
          }
        : { Items: [] },
    );

    // Act
    const response = await search({ label: 'Dog', minConfidence: '90' });

    // Assess
    expectDocumented('get', '/images', response);
    const [image] = JSON.parse(response.body).images;
    expect(image).toMatchObject({
      imageId: 'picflow-uploads/uploads/dog.jpg',
      faceCount: 2,
      labels: ['Dog', 'Animal', 'Pet'],
      verdict: 'safe',
    });
    const url = new URL(image.thumbnailUrl);
    expect(url.pathname).toBe('/picflow-uploads/thumbnails/uploads/dog.jpg/abc/cover-128x128.jpg');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('300');
    expect(image).not.toHaveProperty('thumbnailKey');
    expect(ddb.commandCalls(GetCommand)).toHaveLength(0);
  });

  it('reads a label from its confidence bands at and above minConfidence, filtering only the lowest band', async () => {
    // Prepare
    ddb.on(QueryCommand).resolves({ Items: [] });

    // Act
    const response = await search({ label: 'Dog', minConfidence: '85', from: '2026-01-01', to: '2026-02-01T00:00:00Z' });

    // Assess
    expectDocumented('get', '/images', response);
    const inputs = ddb.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(inputs.map((i) => [i.ExpressionAttributeValues![':p'], i.FilterExpression])).toEqual([
      ['label#dog#80', '#c >= :min'],
      ['label#dog#90', undefined],
    ]);
    expect(inputs[0]).toMatchObject({ IndexName: 'byLabelTime', KeyConditionExpression: '#p = :p AND #t BETWEEN :from AND :to' });
    expect(inputs[0].ExpressionAttributeValues).toMatchObject({
      ':from': '2026-01-01T00:00:00.000Z',
      ':to': '2026-02-01T00:00:00.000Z',
      ':min': 85,
    });
    expect(JSON.parse(response.body)).toEqual({ images: [] });
  });

  it('reads a verdict from its shards', async () => {
    // Prepare
    ddb.on(QueryCommand).resolves({ Items: [] });

    // Act
    const response = await search({ verdict: 'explicit' });

    // Assess
    expectDocumented('get', '/images', response);
    expect(
      ddb.commandCalls(QueryCommand).map((c) => [c.args[0].input.IndexName, c.args[0].input.ExpressionAttributeValues![':p']]),
    ).toEqual([0, 1, 2, 3].map((shard) => ['byVerdictTime', `explicit#${shard}`]));
  });

  it.each([
    ['a token that is not base64 JSON', { status: 'FAILED', nextToken: 'not a token' }, 'InvalidToken'],
    [
      'a token of another query',
      { status: 'FAILED', nextToken: Buffer.from(JSON.stringify({ v: 1, q: 'x', p: {} })).toString('base64url') },
      'InvalidToken',
    ],
    ['an unknown status', { status: 'DONE' }, 'InvalidStatus'],
    ['two filters', { status: 'FAILED', label: 'Dog' }, 'TooManyFilters'],
    ['a confidence over 100', { label: 'Dog', minConfidence: '120' }, 'InvalidMinConfidence'],
    ['minConfidence without a label', { minConfidence: '80' }, 'MinConfidenceWithoutLabel'],
    ['an unknown verdict', { verdict: 'rude' }, 'InvalidVerdict'],
    ['a time that is not ISO-8601', { from: 'yesterday' }, 'InvalidTime'],
    ['from after to', { from: '2026-02-01', to: '2026-01-01' }, 'InvalidTimeRange'],
    ['a limit of 0', { limit: '0' }, 'InvalidLimit'],
  ])('refuses %s with a 400 that says what to change, reading nothing', async (_, query, code) => {
    // Act
    const response = await search(query);

    // Assess
    expectDocumented('get', '/images', response);
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body)).toEqual({ code, message: expect.any(String), requestId: 'req-1' });
    expect(ddb).not.toHaveReceivedCommand(QueryCommand);
  });

  it('uses a token only with the query it came from', async () => {
    // Prepare: a real token from a FAILED query with more to read
    ddb.on(QueryCommand).resolves({
      Items: [row('b/uploads/1', '2026-01-01T00:00:00.000Z', statusKey('b/uploads/1', 'FAILED'))],
      LastEvaluatedKey: { imageId: 'b/uploads/1', statusKey: 'FAILED#0', uploadedAt: '2026-01-01T00:00:00.000Z' },
    });
    const token = JSON.parse((await search({ status: 'FAILED', limit: '1' })).body).nextToken;

    // Act
    const response = await search({ status: 'PARTIAL', limit: '1', nextToken: token });

    // Assess
    expect(token).toEqual(expect.any(String));
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body).code).toBe('InvalidToken');
  });
});

describe('Function: openapi handler', () => {
  it('GET /openapi.json answers the document itself, as the document describes that operation', async () => {
    // Act
    const response = await openApiHandler(apiEvent('GET /openapi.json'));

    // Assess
    expectDocumented('get', '/openapi.json', response);
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual(openapi);
  });
});
