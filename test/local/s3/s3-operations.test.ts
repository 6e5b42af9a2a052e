// The S3 operations the pipeline, the SDK and the CLI use, against the local store through the real
// @aws-sdk/client-s3: ranges, conditional reads, listing, deletes, multipart, presigned URLs, errors.
import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { BUCKET, presign, readBytes, startStore, type StoreUnderTest } from './support';
import { signedHeaders } from '../support/signed-headers';

const md5 = (bytes: Buffer | string) => createHash('md5').update(bytes).digest('hex');

/** A raw HTTP exchange, for requests no SDK would send. */
function raw(
  endpoint: string,
  method: string,
  path: string,
  body?: string | Buffer,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  const url = new URL(endpoint);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers: { ...signedHeaders('s3'), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('Local S3 store: operations', () => {
  let store: StoreUnderTest;

  beforeEach(async () => {
    store = await startStore();
  });

  afterEach(async () => {
    await store.close();
  });

  const put = (Key: string, Body: string | Buffer, extra: Record<string, unknown> = {}) =>
    store.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body, ...extra }));
  const range = async (Key: string, Range: string) => {
    const out = await store.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key, Range }));
    return {
      body: Buffer.from(await out.Body!.transformToByteArray()).toString(),
      contentRange: out.ContentRange,
      length: out.ContentLength,
    };
  };

  it('serves byte ranges and refuses unsatisfiable ones with InvalidRange (416)', async () => {
    await put('r.txt', '0123456789abcdef');

    expect(await range('r.txt', 'bytes=2-5')).toEqual({ body: '2345', contentRange: 'bytes 2-5/16', length: 4 });
    expect(await range('r.txt', 'bytes=10-')).toEqual({ body: 'abcdef', contentRange: 'bytes 10-15/16', length: 6 });
    expect(await range('r.txt', 'bytes=-3')).toEqual({ body: 'def', contentRange: 'bytes 13-15/16', length: 3 });
    expect(await range('r.txt', 'bytes=14-99')).toEqual({ body: 'ef', contentRange: 'bytes 14-15/16', length: 2 });
    await expect(range('r.txt', 'bytes=16-20')).rejects.toMatchObject({ name: 'InvalidRange', $metadata: { httpStatusCode: 416 } });
  });

  it('pins reads with If-Match (412 PreconditionFailed) and answers If-None-Match with 304', async () => {
    const { ETag } = await put('pinned.jpg', 'v1');

    await expect(store.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'pinned.jpg', IfMatch: ETag }))).resolves.toMatchObject({
      ETag,
    });
    await expect(
      store.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'pinned.jpg', IfMatch: `"${md5('v0')}"` })),
    ).rejects.toMatchObject({ name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });
    await expect(
      store.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'pinned.jpg', IfMatch: `"${md5('v0')}"` })),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 412 } });
    await expect(store.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'pinned.jpg', IfNoneMatch: ETag }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 304 },
    });
  });

  it('answers missing objects and buckets with NoSuchKey / NotFound / NoSuchBucket', async () => {
    await expect(store.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'missing' }))).rejects.toMatchObject({
      name: 'NoSuchKey',
      $metadata: { httpStatusCode: 404 },
    });
    await expect(store.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'missing' }))).rejects.toMatchObject({
      name: 'NotFound',
      $metadata: { httpStatusCode: 404 },
    });
    await expect(store.s3.send(new GetObjectCommand({ Bucket: 'no-such-bucket', Key: 'x' }))).rejects.toMatchObject({
      name: 'NoSuchBucket',
    });
    await expect(store.s3.send(new HeadBucketCommand({ Bucket: BUCKET }))).resolves.toBeDefined();
  });

  it('keeps content type and user metadata', async () => {
    await put('meta.png', 'png', { ContentType: 'image/png', Metadata: { origin: 'camera' } });

    const head = await store.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'meta.png' }));

    expect(head).toMatchObject({ ContentType: 'image/png', Metadata: { origin: 'camera' }, ContentLength: 3, ETag: `"${md5('png')}"` });
  });

  it('lists with prefix, delimiter, StartAfter and pages, in V2 and V1', async () => {
    for (const key of ['a/1', 'a/2', 'b/x/1', 'b/x/2', 'b/y', 'c']) await put(key, key);

    const top = await store.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Delimiter: '/' }));
    const underB = await store.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'b/', Delimiter: '/' }));
    const after = await store.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, StartAfter: 'b/x/1' }));
    const first = await store.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Delimiter: '/', MaxKeys: 2 }));
    const second = await store.s3.send(
      new ListObjectsV2Command({ Bucket: BUCKET, Delimiter: '/', MaxKeys: 2, ContinuationToken: first.NextContinuationToken }),
    );
    const v1 = await store.s3.send(new ListObjectsCommand({ Bucket: BUCKET, Delimiter: '/', MaxKeys: 2 }));
    const v1next = await store.s3.send(new ListObjectsCommand({ Bucket: BUCKET, Delimiter: '/', Marker: v1.NextMarker }));

    expect(top.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['a/', 'b/']);
    expect(top.Contents?.map((o) => o.Key)).toEqual(['c']);
    expect(underB.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['b/x/']);
    expect(underB.Contents?.map((o) => o.Key)).toEqual(['b/y']);
    expect(after.Contents?.map((o) => o.Key)).toEqual(['b/x/2', 'b/y', 'c']);
    expect([first.IsTruncated, first.KeyCount, first.CommonPrefixes?.map((p) => p.Prefix)]).toEqual([true, 2, ['a/', 'b/']]);
    expect([second.IsTruncated, second.Contents?.map((o) => o.Key), second.CommonPrefixes]).toEqual([false, ['c'], undefined]);
    expect([v1.IsTruncated, v1.NextMarker]).toEqual([true, 'b/']);
    expect(v1next.Contents?.map((o) => o.Key)).toEqual(['c']);
  });

  it('deletes one object and many objects', async () => {
    for (const key of ['d/1', 'd/2', 'd/3']) await put(key, key);

    await store.s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'd/1' }));
    const many = await store.s3.send(
      new DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Objects: [{ Key: 'd/2' }, { Key: 'd/3' }, { Key: 'd/none' }] } }),
    );
    const left = await store.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'd/' }));

    expect(many.Deleted?.map((d) => d.Key)).toEqual(['d/2', 'd/3', 'd/none']);
    expect(left.KeyCount).toBe(0);
  });

  it('completes a lib-storage multipart upload with the md5-of-md5s-N ETag; aborts another', async () => {
    const bytes = randomBytes(11 * 1024 * 1024);
    const parts = [bytes.subarray(0, 5 * 1024 * 1024), bytes.subarray(5 * 1024 * 1024, 10 * 1024 * 1024), bytes.subarray(10 * 1024 * 1024)];
    const expected = `"${md5(Buffer.concat(parts.map((p) => Buffer.from(md5(p), 'hex'))))}-3"`;

    const done = await new Upload({
      client: store.s3,
      params: { Bucket: BUCKET, Key: 'uploads/big.bin', Body: Readable.from([bytes]) },
      partSize: 5 * 1024 * 1024,
    }).done();
    const { UploadId } = await store.s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'uploads/aborted.bin' }));
    await store.s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'uploads/aborted.bin', UploadId, PartNumber: 1, Body: 'part' }));
    await store.s3.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: 'uploads/aborted.bin', UploadId }));

    expect(done.ETag).toBe(expected);
    expect((await store.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'uploads/big.bin' }))).ETag).toBe(expected);
    expect((await readBytes(store.s3, 'uploads/big.bin')).equals(bytes)).toBe(true);
    await expect(
      store.s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'uploads/aborted.bin', UploadId, PartNumber: 2, Body: 'late' })),
    ).rejects.toMatchObject({ name: 'NoSuchUpload' });
  });

  it('builds a multipart object from copied part ranges (UploadPartCopy, as `aws s3 mv` of a large object)', async () => {
    const bytes = randomBytes(6 * 1024 * 1024);
    await put('incoming/source.bin', bytes);
    const { UploadId } = await store.s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'uploads/copied.bin' }));
    const copyPart = (PartNumber: number, CopySourceRange: string) =>
      store.s3.send(
        new UploadPartCopyCommand({
          Bucket: BUCKET,
          Key: 'uploads/copied.bin',
          UploadId,
          PartNumber,
          CopySource: `${BUCKET}/incoming/source.bin`,
          CopySourceRange,
        }),
      );

    const first = await copyPart(1, `bytes=0-${5 * 1024 * 1024 - 1}`);
    const second = await copyPart(2, `bytes=${5 * 1024 * 1024}-${bytes.length - 1}`);
    const pastTheEnd = copyPart(3, `bytes=0-${bytes.length}`);
    await pastTheEnd.catch(() => undefined);
    await store.s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: BUCKET,
        Key: 'uploads/copied.bin',
        UploadId,
        MultipartUpload: {
          Parts: [
            { PartNumber: 1, ETag: first.CopyPartResult?.ETag },
            { PartNumber: 2, ETag: second.CopyPartResult?.ETag },
          ],
        },
      }),
    );

    expect((await readBytes(store.s3, 'uploads/copied.bin')).equals(bytes)).toBe(true);
    await expect(pastTheEnd).rejects.toMatchObject({ name: 'InvalidRange', $metadata: { httpStatusCode: 416 } });
  });

  it('accepts presigned PUT and GET URLs and refuses an expired one', async () => {
    const putUrl = await presign(store.server.endpoint, 'PUT', 'uploads/pre signed.txt', 60);
    const getUrl = await presign(store.server.endpoint, 'GET', 'uploads/pre signed.txt', 60);
    const expired = await presign(store.server.endpoint, 'GET', 'uploads/pre signed.txt', 60, new Date(Date.now() - 3_600_000));

    const putResponse = await fetch(putUrl, { method: 'PUT', body: 'via url' });
    const getResponse = await fetch(getUrl);
    const expiredResponse = await fetch(expired);

    expect(putResponse.status).toBe(200);
    expect(await getResponse.text()).toBe('via url');
    expect(expiredResponse.status).toBe(403);
    expect(await expiredResponse.text()).toContain('<Code>AccessDenied</Code>');
  });

  it('refuses keys over 1,024 bytes (KeyTooLongError) and bodies over the limit (EntityTooLarge)', async () => {
    await store.restart({ maxObjectBytes: 1000 });

    await expect(put(`k/${'é'.repeat(512)}`, 'x')).rejects.toMatchObject({ name: 'KeyTooLongError', $metadata: { httpStatusCode: 400 } });
    await expect(put('big', randomBytes(1001))).rejects.toMatchObject({ name: 'EntityTooLarge', $metadata: { httpStatusCode: 400 } });
    await expect(put(`k/${'a'.repeat(1022)}`, 'x')).resolves.toBeDefined();
  });

  it('answers malformed requests with S3 errors and keeps serving', async () => {
    const endpoint = store.server.endpoint;

    const badXml = await raw(endpoint, 'POST', `/${BUCKET}?delete`, '<Delete><Object><Key>a</Key></Object');
    const badEscape = await raw(endpoint, 'GET', `/${BUCKET}/%E0%A4%A`);
    const badToken = await raw(endpoint, 'GET', `/${BUCKET}?list-type=2&continuation-token=bm9wZQ`);
    const badPart = await raw(endpoint, 'PUT', `/${BUCKET}/k?partNumber=0&uploadId=zz`, 'x');
    const badChunked = await raw(endpoint, 'PUT', `/${BUCKET}/k`, 'zz;chunk\r\nxx', {
      'content-encoding': 'aws-chunked',
      'x-amz-decoded-content-length': '2',
    });
    const post = await raw(endpoint, 'POST', `/${BUCKET}`, 'form', { 'content-type': 'multipart/form-data; boundary=x' });
    const badCompletion = await raw(endpoint, 'POST', `/${BUCKET}/k?uploadId=${'0'.repeat(32)}`, '<CompleteMultipartUpload/>');

    expect(badXml).toMatchObject({ status: 400, body: expect.stringContaining('<Code>MalformedXML</Code>') });
    expect(badEscape).toMatchObject({ status: 400, body: expect.stringContaining('<Code>InvalidURI</Code>') });
    expect(badToken).toMatchObject({ status: 400, body: expect.stringContaining('<Code>InvalidArgument</Code>') });
    expect(badPart).toMatchObject({ status: 400, body: expect.stringContaining('<Code>InvalidArgument</Code>') });
    expect(badChunked).toMatchObject({ status: 400, body: expect.stringContaining('<Code>IncompleteBody</Code>') });
    expect(post).toMatchObject({ status: 400, body: expect.stringContaining('<Code>MalformedPOSTRequest</Code>') });
    expect(badCompletion).toMatchObject({ status: 404, body: expect.stringContaining('<Code>NoSuchUpload</Code>') });
    await expect(put('still-alive', 'yes')).resolves.toBeDefined();
  });

  it('keeps objects, metadata and the sequencer order across a restart', async () => {
    const events: (string | undefined)[] = [];
    store.server.onObjectCreated((o) => events.push(o.sequencer));
    await put('uploads/kept.jpg', 'kept', { ContentType: 'image/jpeg' });

    await store.restart();
    store.server.onObjectCreated((o) => events.push(o.sequencer));
    await put('uploads/kept.jpg', 'kept again');

    expect((await readBytes(store.s3, 'uploads/kept.jpg')).toString()).toBe('kept again');
    expect(events).toHaveLength(2);
    expect(events[1]! > events[0]!).toBe(true);
  });
});
