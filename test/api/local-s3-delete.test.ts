// Deleting an upload directly in the local S3 (DeleteObject, DeleteObjects) runs the same clean-up as on
// AWS: the store emits S3's "Object Deleted" event, the local router matches it with the rule's pattern and
// runs api/deleted with the stack's deps. Real local stack: upload → SUCCEEDED → delete in S3 → the item,
// its label entries, thumbnails and raw results are gone; deleting a derived object cleans up nothing.
import { readFileSync } from 'node:fs';
import { DeleteObjectCommand, DeleteObjectsCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { startLocalStack, type LocalStack } from '../../local/stack/local-stack';
import { imageKey } from '../../tasks/shared/image-table';
import type { ImageItem } from '../../tasks/shared/types';
import { fixturePath, tempDir } from '../e2e/support';

jest.setTimeout(240_000);

describe('deleting an upload in the local S3', () => {
  const data = tempDir('s3-delete');
  let stack: LocalStack;
  const keys = ['uploads/delete-one.png', 'uploads/delete-batch-1.png', 'uploads/delete-batch-2.png', 'uploads/kept.png'];
  const imageId = (key: string) => `${stack.bucket}/${key}`;

  const readItem = async (key: string) =>
    (
      await stack.tasks.clients.dynamo.send(
        new GetCommand({ TableName: stack.tableName, Key: imageKey(imageId(key)), ConsistentRead: true }),
      )
    ).Item as ImageItem | undefined;
  const labelEntries = async (key: string) => {
    const { Items = [] } = await stack.tasks.clients.dynamo.send(new ScanCommand({ TableName: stack.tableName, ConsistentRead: true }));
    return Items.filter((item) => item.imageOf === imageId(key));
  };
  /** The thumbnails' and raw results' keys the item names. */
  const derivedKeys = (item: ImageItem) => [
    ...(item.thumbnails ?? []).map((thumbnail) => thumbnail.key),
    ...Object.values(item.rawResults ?? {}).map((uri) => uri!.replace(`s3://${stack.bucket}/`, '')),
  ];
  const exists = (key: string) =>
    stack.clients.s3.send(new HeadObjectCommand({ Bucket: stack.bucket, Key: key })).then(
      () => true,
      (error) => (error.name === 'NotFound' ? false : Promise.reject(error)),
    );
  /** The clean-up runs on the event, after the delete has answered: wait until the item is gone. */
  const untilGone = async (key: string) => {
    while (await readItem(key)) await new Promise((resolve) => setTimeout(resolve, 50));
  };

  const items = new Map<string, ImageItem>();

  beforeAll(async () => {
    stack = await startLocalStack({ dataDir: data.path, recover: false, rekognitionWorkers: 1, taskEnvironment: { ANALYSES: 'labels' } });
    const cat = readFileSync(fixturePath('chelsea.png'));
    for (const key of keys) {
      await stack.clients.s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: key, Body: cat, ContentType: 'image/png' }));
    }
    for (const key of keys) {
      let item = await readItem(key);
      while (item?.status !== 'SUCCEEDED') {
        await new Promise((resolve) => setTimeout(resolve, 100));
        item = await readItem(key);
      }
      items.set(key, item);
    }
  });

  afterAll(async () => {
    await stack?.close();
    data.remove();
  });

  it('has derived objects and label entries to clean up (the premise)', async () => {
    for (const key of keys) {
      expect(derivedKeys(items.get(key)!).length).toBeGreaterThanOrEqual(2);
      expect((await labelEntries(key)).length).toBeGreaterThan(0);
    }
  });

  it('DeleteObject of an upload removes its item, label entries, thumbnails, raw results; a derived object cleans nothing', async () => {
    // Prepare
    const [key] = keys;
    const keptThumbnail = items.get('uploads/kept.png')!.thumbnails![0].key;

    // Act: a derived object first (must not match the rule), then the upload
    await stack.clients.s3.send(new DeleteObjectCommand({ Bucket: stack.bucket, Key: keptThumbnail }));
    await stack.clients.s3.send(new DeleteObjectCommand({ Bucket: stack.bucket, Key: key }));
    await untilGone(key);

    // Assess
    for (const derived of derivedKeys(items.get(key)!)) expect(await exists(derived)).toBe(false);
    expect(await labelEntries(key)).toEqual([]);
    expect((await readItem('uploads/kept.png'))?.status).toBe('SUCCEEDED');
    expect((await labelEntries('uploads/kept.png')).length).toBeGreaterThan(0);
    expect(await exists(derivedKeys(items.get('uploads/kept.png')!)[1])).toBe(true);
  });

  it('DeleteObjects (a batch) cleans up after every upload in it', async () => {
    // Prepare
    const batch = keys.slice(1, 3);

    // Act
    await stack.clients.s3.send(new DeleteObjectsCommand({ Bucket: stack.bucket, Delete: { Objects: batch.map((Key) => ({ Key })) } }));
    for (const key of batch) await untilGone(key);

    // Assess
    for (const key of batch) {
      for (const derived of derivedKeys(items.get(key)!)) expect(await exists(derived)).toBe(false);
      expect(await labelEntries(key)).toEqual([]);
    }
    expect((await readItem('uploads/kept.png'))?.status).toBe('SUCCEEDED');
  });
});
