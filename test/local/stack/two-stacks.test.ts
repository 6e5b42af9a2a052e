// Two local stacks in one process, each with its own settings: neither the process environment nor a
// shared client carries one stack's configuration into the other's tasks (an embedding application,
// the bench and these tests all start stacks side by side).
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import sharp from 'sharp';
import type { ExecutionRecord } from '../../../local/engine/execution-store';
import { startLocalStack, type LocalStack } from '../../../local/stack/local-stack';
import type { ImageItem } from '../../../tasks/shared/types';
import { tempDir } from '../../e2e/support';

jest.setTimeout(120_000);

/** Uploads `bytes` under the stack's upload prefix and waits for its execution to finish. */
async function runUpload(stack: LocalStack, name: string, bytes: Buffer): Promise<{ record: ExecutionRecord; item: ImageItem }> {
  const key = `${stack.uploadPrefix}${name}`;
  const finished = new Promise<ExecutionRecord>((resolve) => {
    stack.runner.on('finished', (record) => {
      if (record.imageId === `${stack.bucket}/${key}`) resolve(record);
    });
  });
  await stack.clients.s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: key, Body: bytes, ContentType: 'image/png' }));
  const record = await finished;
  const { Item } = await stack.clients.dynamodb.send(
    new GetItemCommand({ TableName: stack.tableName, Key: { imageId: { S: record.imageId! } }, ConsistentRead: true }),
  );
  return { record, item: (Item ? unmarshall(Item) : {}) as ImageItem };
}

describe('Local stack: two stacks in one process', () => {
  const dataA = tempDir('two-stacks-a');
  const dataB = tempDir('two-stacks-b');
  let a: LocalStack | undefined;
  let b: LocalStack | undefined;

  afterAll(async () => {
    await a?.close();
    await b?.close();
    dataA.remove();
    dataB.remove();
  });

  it('each runs its uploads with its own prefixes, thumbnail sizes and servers', async () => {
    // Prepare: no analyses (thumbnails only), different prefixes and sizes; B starts after A.
    const png = await sharp({ create: { width: 96, height: 64, channels: 3, background: { r: 200, g: 40, b: 40 } } })
      .png()
      .toBuffer();
    const environment = {}; // nothing inherited from the shell running the tests
    a = await startLocalStack({
      dataDir: dataA.path,
      rekognitionWorkers: 1,
      environment,
      taskEnvironment: { ANALYSES: '', UPLOAD_PREFIX: 'in-a/', THUMBNAIL_PREFIX: 'thumbs-a/', THUMBNAIL_SIZES: '32x32:cover' },
    });
    b = await startLocalStack({
      dataDir: dataB.path,
      rekognitionWorkers: 1,
      environment,
      taskEnvironment: { ANALYSES: '', UPLOAD_PREFIX: 'in-b/', THUMBNAIL_PREFIX: 'thumbs-b/', THUMBNAIL_SIZES: '48x24:inside' },
    });

    // Act: A's upload after B started, then B's
    const fromA = await runUpload(a, 'red.png', png);
    const fromB = await runUpload(b, 'red.png', png);

    // Assess: each stack's settings, in its own item and its own bucket
    expect(fromA.record.status).toBe('SUCCEEDED');
    expect(fromB.record.status).toBe('SUCCEEDED');
    expect(fromA.item.thumbnails?.map(({ name, key, width, height }) => ({ name, key, width, height }))).toEqual([
      { name: 'cover-32x32', key: expect.stringMatching(/^thumbs-a\/red\.png\//), width: 32, height: 32 },
    ]);
    expect(fromB.item.thumbnails?.map(({ name, key, width, height }) => ({ name, key, width, height }))).toEqual([
      { name: 'inside-48x24', key: expect.stringMatching(/^thumbs-b\/red\.png\//), width: 36, height: 24 },
    ]);
    await expect(a.clients.s3.send(new HeadObjectCommand({ Bucket: a.bucket, Key: fromA.item.thumbnails![0].key }))).resolves.toBeDefined();
    await expect(b.clients.s3.send(new HeadObjectCommand({ Bucket: b.bucket, Key: fromB.item.thumbnails![0].key }))).resolves.toBeDefined();
    expect([a.config.thumbnailPrefix, b.config.thumbnailPrefix]).toEqual(['thumbs-a/', 'thumbs-b/']);
  });
});
