// The local S3-compatible store, driven by the real @aws-sdk/client-s3: bytes stored equal bytes sent
// (streamed, aws-chunked or not), objects survive a restart, and created objects are reported.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { DeleteObjectCommand, DeleteObjectsCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { startS3Server, type CreatedObject, type DeletedObject, type S3Server } from '../../../local/s3/s3-server';

const BUCKET = 'picflow-local';

describe('Local S3 server', () => {
  let directory: string;
  let server: S3Server;

  const client = (checksums: 'WHEN_SUPPORTED' | 'WHEN_REQUIRED') =>
    new S3Client({
      endpoint: server.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      requestChecksumCalculation: checksums,
    });

  const read = async (s3: S3Client, key: string) =>
    Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToByteArray());

  beforeEach(async () => {
    directory = mkdtempSync(join(tmpdir(), 'picflow-s3-'));
    server = await startS3Server({ directory, buckets: [BUCKET] });
  });

  afterEach(async () => {
    await server.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it.each(['WHEN_SUPPORTED', 'WHEN_REQUIRED'] as const)('stores a streamed body byte for byte (checksums %s)', async (checksums) => {
    // Prepare: a stream of known bytes in small chunks, with its length, as SDK users send files
    const bytes = randomBytes(204_800);
    const s3 = client(checksums);

    // Act
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'uploads/stream.bin',
        Body: Readable.from([bytes.subarray(0, 100_000), bytes.subarray(100_000)]),
        ContentLength: bytes.length,
      }),
    );
    const stored = await read(s3, 'uploads/stream.bin');

    // Assess
    expect(stored.length).toBe(bytes.length);
    expect(stored.equals(bytes)).toBe(true);
  });

  it('stores a multipart upload byte for byte', async () => {
    const bytes = randomBytes(11 * 1024 * 1024);
    const s3 = client('WHEN_SUPPORTED');

    await new Upload({
      client: s3,
      params: { Bucket: BUCKET, Key: 'uploads/big.bin', Body: Readable.from([bytes]) },
      partSize: 5 * 1024 * 1024,
    }).done();

    expect((await read(s3, 'uploads/big.bin')).equals(bytes)).toBe(true);
  });

  it('reports each created object with its decoded key, size and etag', async () => {
    const created: CreatedObject[] = [];
    server.onObjectCreated((o) => created.push(o));

    await client('WHEN_REQUIRED').send(new PutObjectCommand({ Bucket: BUCKET, Key: 'uploads/a b+c ✓.png', Body: 'hello' }));

    expect(created).toEqual([
      expect.objectContaining({
        bucket: BUCKET,
        key: 'uploads/a b+c ✓.png',
        size: 5,
        etag: '5d41402abc4b2a76b9719d911017c592',
        reason: 'PutObject',
      }),
    ]);
  });

  it('reports each deleted object (DeleteObject, DeleteObjects), sequenced after its writes; a missing key reports none', async () => {
    // Prepare
    const s3 = client('WHEN_REQUIRED');
    const created: CreatedObject[] = [];
    const deleted: DeletedObject[] = [];
    server.onObjectCreated((o) => created.push(o));
    server.onObjectDeleted((o) => deleted.push(o));
    for (const key of ['uploads/a.png', 'uploads/b.png', 'uploads/c.png'])
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: key }));

    // Act
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'uploads/a.png' }));
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'uploads/never.png' }));
    await s3.send(new DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Objects: [{ Key: 'uploads/b.png' }, { Key: 'uploads/c.png' }] } }));

    // Assess
    expect(deleted.map((o) => [o.bucket, o.key])).toEqual([
      [BUCKET, 'uploads/a.png'],
      [BUCKET, 'uploads/b.png'],
      [BUCKET, 'uploads/c.png'],
    ]);
    const lastWrite = created
      .map((o) => o.sequencer!)
      .sort()
      .at(-1)!;
    for (const o of deleted) expect(o.sequencer > lastWrite).toBe(true);
  });

  it('keeps objects across a restart', async () => {
    await client('WHEN_REQUIRED').send(new PutObjectCommand({ Bucket: BUCKET, Key: 'uploads/kept.txt', Body: 'kept' }));
    await server.close();

    server = await startS3Server({ directory, buckets: [BUCKET] });

    expect((await read(client('WHEN_REQUIRED'), 'uploads/kept.txt')).toString()).toBe('kept');
  });
});
