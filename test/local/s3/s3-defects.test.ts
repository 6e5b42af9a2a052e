// Issue 15's defects of the local S3 (s3rver 3.7.1), each through the real @aws-sdk/client-s3:
// D1 long key segments, D3 listings over MaxKeys, D5 keys escaping the data dir, D7 concurrent PUTs
// to one key, D8 CopyObject events, D13 aliased keys. Each failed on the s3rver-based server.
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  CopyObjectCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  paginateListObjectsV2,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import type { CreatedObject } from '../../../local/s3/s3-server';
import { BUCKET, readBytes, startStore, type StoreUnderTest } from './support';

const md5 = (bytes: Buffer | string) => createHash('md5').update(bytes).digest('hex');

describe('Local S3 store: issue 15 defects', () => {
  let store: StoreUnderTest;

  beforeEach(async () => {
    store = await startStore();
  });

  afterEach(async () => {
    await store.close();
  });

  it('D1: stores a key with a 300-byte segment and keeps serving', async () => {
    // Prepare
    const key = `uploads/${'a'.repeat(300)}/${'b'.repeat(300)}.jpg`;

    // Act
    const put = store.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'long' }));
    await put.catch(() => undefined);

    // Assess: the store is alive, and the object is there under its exact key
    await expect(store.s3.send(new ListBucketsCommand({}))).resolves.toBeDefined();
    await expect(put).resolves.toBeDefined();
    expect((await readBytes(store.s3, key)).toString()).toBe('long');
  });

  it('D3: lists 1,200 objects in pages with continuation tokens', async () => {
    // Prepare: 1,200 uploads, 20 at a time
    const keys = Array.from({ length: 1200 }, (_, i) => `uploads/${String(i).padStart(4, '0')}.jpg`);
    for (let i = 0; i < keys.length; i += 20) {
      await Promise.all(keys.slice(i, i + 20).map((Key) => store.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: Key }))));
    }

    // Act
    const pages: string[][] = [];
    for await (const page of paginateListObjectsV2({ client: store.s3 }, { Bucket: BUCKET, Prefix: 'uploads/' })) {
      pages.push((page.Contents ?? []).map((o) => o.Key!));
    }

    // Assess
    expect(pages.map((p) => p.length)).toEqual([1000, 200]);
    expect(pages.flat()).toEqual(keys);
  });

  it('D5: keeps `..` keys inside the store, stored and listed exactly', async () => {
    // Prepare: a key whose segments would climb three levels above the bucket's directory
    const name = `escape-${randomBytes(6).toString('hex')}.txt`;
    const key = `uploads/../../../${name}`;
    const parent = join(store.directory, '..');
    const escaped = () => readdirSync(parent).filter((file) => file.startsWith(name));

    try {
      // Act
      await store.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'inside' }));
      const listed = await store.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'uploads/' }));

      // Assess
      expect(escaped()).toEqual([]);
      expect(listed.Contents?.map((o) => o.Key)).toEqual([key]);
      expect((await readBytes(store.s3, key)).toString()).toBe('inside');
    } finally {
      // Only what the old store wrote outside: files named after this test's random key.
      for (const file of escaped()) rmSync(join(parent, file), { force: true });
    }
  });

  it('D7: concurrent PUTs to one key store exactly one body, under its ETag; sequencers follow commit order', async () => {
    // Prepare: eight bodies of different lengths
    const bodies = Array.from({ length: 8 }, (_, i) => randomBytes(100_000 + i * 37_000));
    const events: CreatedObject[] = [];
    store.server.onObjectCreated((o) => events.push(o));

    // Act
    const puts = await Promise.all(
      bodies.map((Body) => store.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'uploads/race.bin', Body }))),
    );
    const stored = await readBytes(store.s3, 'uploads/race.bin');
    const head = await store.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'uploads/race.bin' }));

    // Assess: one whole body, its own ETag, and the last event (in sequencer order) is the stored version
    const winner = bodies.findIndex((b) => b.equals(stored));
    expect(winner).toBeGreaterThanOrEqual(0);
    expect(head.ETag).toBe(`"${md5(bodies[winner])}"`);
    expect(puts.map((p) => p.ETag).sort()).toEqual(bodies.map((b) => `"${md5(b)}"`).sort());
    const sequencers = events.map((e) => e.sequencer);
    expect(sequencers).toHaveLength(8);
    expect(sequencers.every((s) => /^[0-9A-F]{16}$/.test(s ?? ''))).toBe(true);
    expect([...sequencers].sort()).toEqual(sequencers);
    expect(new Set(sequencers).size).toBe(8);
    expect(events.at(-1)!.etag).toBe(md5(bodies[winner]));
  });

  it('D8: CopyObject into uploads/ reports the copy with its ETag', async () => {
    // Prepare
    await store.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'incoming/photo.jpg', Body: 'jpeg bytes' }));
    const events: CreatedObject[] = [];
    store.server.onObjectCreated((o) => events.push(o));

    // Act
    const copy = await store.s3.send(
      new CopyObjectCommand({ Bucket: BUCKET, Key: 'uploads/photo.jpg', CopySource: `${BUCKET}/incoming/photo.jpg` }),
    );

    // Assess
    expect(copy.CopyObjectResult?.ETag).toBe(`"${md5('jpeg bytes')}"`);
    expect(events).toEqual([
      expect.objectContaining({ bucket: BUCKET, key: 'uploads/photo.jpg', etag: md5('jpeg bytes'), size: 10, reason: 'CopyObject' }),
    ]);
    expect((await readBytes(store.s3, 'uploads/photo.jpg')).toString()).toBe('jpeg bytes');
  });

  it('D13: aliased keys (`x/../a`, `./a`, `//a`) are distinct objects, listed under their own keys', async () => {
    // Prepare
    const keys = ['uploads/x/../a.jpg', 'uploads/./a.jpg', 'uploads//a.jpg', 'uploads/a.jpg'];

    // Act
    for (const Key of keys) await store.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: `body of ${Key}` }));
    const listed = await store.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'uploads/' }));

    // Assess
    expect(listed.Contents?.map((o) => o.Key)).toEqual([...keys].sort());
    for (const key of keys) expect((await readBytes(store.s3, key)).toString()).toBe(`body of ${key}`);
  });
});
