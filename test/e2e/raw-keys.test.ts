// The local runtime with awkward keys: each one uploaded to the real local stack (its S3 store, the event
// router, THE definition, the real tasks) must come back as a SUCCEEDED item under exactly that key,
// with its thumbnails. Plus the two keys that must not succeed silently: a folder marker (skipped,
// no trace) and an event for an object that does not exist (FAILED, with a dead letter).
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import sharp from 'sharp';
import { objectCreatedEvent } from '../../local/events/object-created-event';
import { startLocalStack, type LocalStack } from '../../local/stack/local-stack';
import type { DeadLetterMessage, ImageItem, S3ObjectCreatedEvent } from '../../tasks/shared/types';
import { AWKWARD_KEYS } from '../support/awkward-keys';
import { tempDir } from './support';

jest.setTimeout(240_000);

/** Polls until `done` holds; the test's own timeout bounds the wait. */
async function until(done: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await done())) await new Promise((resolve) => setTimeout(resolve, 50));
}

describe('Local runtime: raw keys, end to end', () => {
  const data = tempDir('raw-keys');
  let stack: LocalStack;
  let items: Map<string, ImageItem | undefined>;
  let letters: DeadLetterMessage[];
  const keys = AWKWARD_KEYS.map(([, name]) => `uploads/${name}`);
  const FOLDER = 'uploads/holiday/';
  const MISSING = 'uploads/gone+away.jpg';

  beforeAll(async () => {
    // One stack for every key; moderation is the cheapest analysis, the keys are what is under test.
    stack = await startLocalStack({
      dataDir: data.path,
      recover: false,
      rekognitionWorkers: 1,
      taskEnvironment: { ANALYSES: 'moderation' },
    });
    const photo = await sharp({ create: { width: 160, height: 120, channels: 3, background: { r: 200, g: 120, b: 40 } } })
      .jpeg()
      .toBuffer();
    for (const key of keys) {
      await stack.clients.s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: key, Body: photo, ContentType: 'image/jpeg' }));
    }
    await stack.clients.s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: FOLDER, Body: Buffer.alloc(0) }));
    // An event for an object that is not there (deleted, or a key the event got wrong).
    void stack.runner.start(
      objectCreatedEvent(
        {
          bucket: stack.bucket,
          key: MISSING,
          size: 10,
          etag: 'd41d8cd98f00b204e9800998ecf8427e',
          reason: 'PutObject',
          eventTime: new Date().toISOString(),
        },
        'us-east-1',
      ),
    );
    await until(async () => (await stack.store.list()).length >= keys.length + 2);
    await stack.runner.idle();

    const documents = DynamoDBDocumentClient.from(stack.clients.dynamodb);
    items = new Map();
    for (const key of [...keys, FOLDER, MISSING]) {
      const { Item } = await documents.send(new GetCommand({ TableName: stack.tableName, Key: { imageId: `${stack.bucket}/${key}` } }));
      items.set(key, Item as ImageItem | undefined);
    }
    const { Messages = [] } = await stack.clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: stack.queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }),
    );
    letters = Messages.map((m) => JSON.parse(m.Body!) as DeadLetterMessage);
  });

  afterAll(async () => {
    await stack?.close();
    data.remove();
  });

  it.each(AWKWARD_KEYS)('stores a SUCCEEDED item with thumbnails for the key with %s, byte for byte', async (_, name) => {
    const key = `uploads/${name}`;
    const item = items.get(key);
    expect(item).toMatchObject({ status: 'SUCCEEDED', imageId: `${stack.bucket}/${key}` });
    expect(Buffer.from(item!.key)).toEqual(Buffer.from(key));
    // The local router sends the key raw, as EventBridge does on AWS
    const summary = (await stack.store.list({ imageId: `${stack.bucket}/${key}` }))[0];
    const record = stack.store.get(summary.name);
    expect(Buffer.from((record?.input as S3ObjectCreatedEvent).detail.object.key)).toEqual(Buffer.from(key));
    expect(item!.thumbnails?.map((t) => t.name)).toEqual(['cover-128x128', 'inside-512x512']);
    for (const thumbnail of item!.thumbnails ?? []) {
      // S3 refuses keys over 1,024 bytes (the local store too: KeyTooLongError)
      expect(Buffer.byteLength(thumbnail.key)).toBeLessThanOrEqual(1024);
      const object = await stack.clients.s3.send(new GetObjectCommand({ Bucket: stack.bucket, Key: thumbnail.key }));
      const metadata = await sharp(Buffer.from(await object.Body!.transformToByteArray())).metadata();
      expect({ format: metadata.format, width: metadata.width }).toEqual({ format: 'jpeg', width: thumbnail.width });
    }
  });

  it('names every execution validly (letters, digits, - and _, at most 80 characters) whatever the key', async () => {
    const names = (await stack.store.list()).map((record) => record.name);
    expect(names).toHaveLength(keys.length + 2);
    for (const name of names) expect(name).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
  });

  it('records an event for a missing object as FAILED NOT_FOUND with one dead letter', () => {
    expect(items.get(MISSING)).toMatchObject({ status: 'FAILED', statusReason: expect.stringContaining('NOT_FOUND') });
    expect(letters.map((l) => l.key)).toEqual([MISSING]);
  });

  it('skips the folder marker quietly: a Succeed state, no item, no dead letter', async () => {
    const record = (await stack.store.list()).find((r) => r.imageId === `${stack.bucket}/${FOLDER}`);
    expect(record?.status).toBe('SUCCEEDED');
    expect(items.get(FOLDER)).toBeUndefined();
    expect(letters.map((l) => l.key)).not.toContain(FOLDER);
  });
});
