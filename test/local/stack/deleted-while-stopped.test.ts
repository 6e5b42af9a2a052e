// Uploads deleted while the stack was stopped (the S3 store opened by another process, here directly on the
// data directory) are cleaned up at the next start exactly as an "Object Deleted" event would have: the item,
// its label entries, thumbnails and raw results go; an image whose object is still there keeps everything.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { deletedVersionIsCurrent } from '../../../api/deleted/clean-up-deleted';
import { ObjectStore } from '../../../local/s3/object-store';
import { deletedEvent } from '../../../local/stack/deleted-while-stopped';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../../local/stack/local-stack';
import { imageKey } from '../../../tasks/shared/image-table';
import { sequencerKey } from '../../../tasks/shared/sequencer';
import type { ImageItem } from '../../../tasks/shared/types';
import { fixturePath, tempDir } from '../../e2e/support';

jest.setTimeout(240_000);

const FAST: LocalStackOptions = { rekognitionWorkers: 1, taskEnvironment: { ANALYSES: 'labels', THUMBNAIL_SIZES: '64x64:cover' } };

describe('Local stack: an upload deleted while the stack was stopped', () => {
  const data = tempDir('deleted-while-stopped');
  const deletedKey = 'uploads/deleted-while-stopped.png';
  const keptKey = 'uploads/kept-while-stopped.png';
  let stack: LocalStack | undefined;
  const before = new Map<string, ImageItem>();

  const readItem = async (s: LocalStack, key: string) =>
    (
      await s.tasks.clients.dynamo.send(
        new GetCommand({ TableName: s.tableName, Key: imageKey(`${s.bucket}/${key}`), ConsistentRead: true }),
      )
    ).Item as ImageItem | undefined;
  const labelEntries = async (s: LocalStack, key: string) => {
    const { Items = [] } = await s.tasks.clients.dynamo.send(new ScanCommand({ TableName: s.tableName, ConsistentRead: true }));
    return Items.filter((item) => item.imageOf === `${s.bucket}/${key}`);
  };
  const derivedKeys = (s: LocalStack, item: ImageItem) => [
    ...(item.thumbnails ?? []).map((thumbnail) => thumbnail.key),
    ...Object.values(item.rawResults ?? {}).map((uri) => uri!.replace(`s3://${s.bucket}/`, '')),
  ];
  const exists = (s: LocalStack, key: string) =>
    s.clients.s3.send(new HeadObjectCommand({ Bucket: s.bucket, Key: key })).then(
      () => true,
      (error) => (error.name === 'NotFound' ? false : Promise.reject(error)),
    );

  beforeAll(async () => {
    // Prepare: two analysed uploads, then the stack stopped and one upload deleted in the store on its own
    const first = await startLocalStack({ ...FAST, dataDir: data.path });
    try {
      const cat = readFileSync(fixturePath('chelsea.png'));
      for (const key of [deletedKey, keptKey]) {
        await first.clients.s3.send(new PutObjectCommand({ Bucket: first.bucket, Key: key, Body: cat, ContentType: 'image/png' }));
      }
      for (const key of [deletedKey, keptKey]) {
        let item = await readItem(first, key);
        while (item?.status !== 'SUCCEEDED') {
          await new Promise((resolve) => setTimeout(resolve, 100));
          item = await readItem(first, key);
        }
        before.set(key, item);
      }
    } finally {
      await first.close();
    }
    const store = await ObjectStore.open(join(data.path, 's3'));
    try {
      await store.deleteObject(before.get(deletedKey)!.bucket, deletedKey);
    } finally {
      await store.close();
    }

    // Act: the next start
    stack = await startLocalStack({ ...FAST, dataDir: data.path });
  });

  afterAll(async () => {
    await stack?.close();
    data.remove();
  });

  it('had derived objects and label entries to clean up (the premise)', async () => {
    expect(derivedKeys(stack!, before.get(deletedKey)!).length).toBeGreaterThanOrEqual(2);
    expect((await labelEntries(stack!, keptKey)).length).toBeGreaterThan(0);
  });

  it('removes the deleted upload’s item, label entries, thumbnails and raw results before any work starts', async () => {
    // Assess
    expect(await readItem(stack!, deletedKey)).toBeUndefined();
    expect(await labelEntries(stack!, deletedKey)).toEqual([]);
    for (const derived of derivedKeys(stack!, before.get(deletedKey)!)) expect(await exists(stack!, derived)).toBe(false);
    expect(stack!.recovery.cleanedUp).toBe(1);
  });

  it('keeps the image whose object is still there, with everything derived from it, and starts nothing for either', async () => {
    // Assess
    expect((await readItem(stack!, keptKey))?.status).toBe('SUCCEEDED');
    expect((await labelEntries(stack!, keptKey)).length).toBeGreaterThan(0);
    for (const derived of derivedKeys(stack!, before.get(keptKey)!)) expect(await exists(stack!, derived)).toBe(true);
    expect(stack!.recovery).toMatchObject({ resumed: 0, started: 0, settled: 0 });
  });
});

describe('Local stack: an upload deleted while stopped, uploaded again while the stack starts', () => {
  const data = tempDir('deleted-then-uploaded');
  const key = 'uploads/again.png';

  afterAll(() => data.remove());

  it('keeps the new upload: it is analysed and its item stays, nothing is cleaned up', async () => {
    // Prepare: analysed, stopped, deleted in the store alone
    const first = await startLocalStack({ ...FAST, dataDir: data.path });
    const imageId = `${first.bucket}/${key}`;
    try {
      await first.clients.s3.send(
        new PutObjectCommand({ Bucket: first.bucket, Key: key, Body: readFileSync(fixturePath('chelsea.png')), ContentType: 'image/png' }),
      );
      await first.runner.idle();
    } finally {
      await first.close();
    }
    const store = await ObjectStore.open(join(data.path, 's3'));
    await store.deleteObject(first.bucket, key).finally(() => store.close());

    // Act: other bytes under the same key while the next start is under way (before recovery reads)
    const stack = await startLocalStack({
      ...FAST,
      dataDir: data.path,
      beforeWork: async (up) => {
        await up.clients.s3.send(
          new PutObjectCommand({ Bucket: up.bucket, Key: key, Body: readFileSync(fixturePath('rocket.jpg')), ContentType: 'image/jpeg' }),
        );
      },
    });
    try {
      await stack.runner.idle();
      const item = (
        await stack.tasks.clients.dynamo.send(new GetCommand({ TableName: stack.tableName, Key: imageKey(imageId), ConsistentRead: true }))
      ).Item as ImageItem | undefined;

      // Assess
      expect(stack.recovery.cleanedUp).toBe(0);
      expect(item).toMatchObject({ status: 'SUCCEEDED', format: 'jpeg' });
    } finally {
      await stack.close();
    }
  });
});

describe('The delete event recovery makes up for an item', () => {
  const item = { bucket: 'picflow-local', sequencerKey: sequencerKey('0006100A7E5B3C2D') };
  const detail = deletedEvent(item, 'uploads/a.png').detail;

  it('comes after the write the item describes: the clean-up removes that item', () => {
    // Act / Assess
    expect(deletedVersionIsCurrent(item, detail)).toBe('CLEANED_UP');
  });

  it('comes before any later write of the key: an item a newer upload wrote meanwhile is kept', () => {
    // Prepare: the very next sequencer the store could give
    const newer = { sequencerKey: sequencerKey('0006100A7E5B3C2E') };

    // Act / Assess
    expect(deletedVersionIsCurrent(newer, detail)).toBe('NEWER_UPLOAD');
  });
});
