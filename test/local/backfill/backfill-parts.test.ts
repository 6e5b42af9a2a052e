// The parts of the local backfill the item processor test does not reach: the listing (the Distributed
// Map's ItemReader, replaced locally by ListObjectsV2 pages against the local S3 store), the checkpoint's
// gapless frontier, and the sequencers the backfill's events carry.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DoneFrontier, readCheckpoint, writeCheckpoint } from '../../../local/backfill/backfill-checkpoint';
import { listBackfillObjects } from '../../../local/backfill/backfill-listing';
import { startS3Server, type S3Server } from '../../../local/s3/s3-server';
import { bumpedSequencer, FIRST_BACKFILL_SEQUENCER } from '../../../tasks/backfill-item/backfill-sequencer';
import { sequencerKey } from '../../../tasks/shared/sequencer';

const BUCKET = 'picflow-local';

describe('Backfill listing against the local S3 store', () => {
  let directory: string;
  let server: S3Server;
  let s3: S3Client;
  const keys = ['uploads/a.png', 'uploads/b.png', 'uploads/c/d.png', 'uploads/e.png', 'uploads/f.png'];

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'picflow-backfill-list-'));
    server = await startS3Server({ directory, buckets: [BUCKET] });
    s3 = new S3Client({
      endpoint: server.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
    for (const key of [...keys, 'thumbnails/a.jpg']) await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: key }));
  });

  afterAll(async () => {
    s3.destroy();
    await server.close();
    rmSync(directory, { recursive: true, force: true });
  });

  const list = async (options: { startAfter?: string; pageSize?: number }) => {
    const listed = [];
    for await (const object of listBackfillObjects(s3, { bucket: BUCKET, prefix: 'uploads/', ...options })) listed.push(object);
    return listed;
  };

  it('follows continuation tokens across pages of 2 and gives items in the ItemReader shape', async () => {
    // Act
    const listed = await list({ pageSize: 2 });

    // Assess
    expect(listed.map((o) => o.Key)).toEqual(keys);
    expect(listed[0]).toEqual({
      Key: 'uploads/a.png',
      Etag: expect.stringMatching(/^"[0-9a-f]{32}"$/),
      Size: 13,
      LastModified: expect.any(String),
    });
  });

  it('starts after the checkpoint key, across pages', async () => {
    // Act
    const listed = await list({ startAfter: 'uploads/b.png', pageSize: 2 });

    // Assess
    expect(listed.map((o) => o.Key)).toEqual(['uploads/c/d.png', 'uploads/e.png', 'uploads/f.png']);
  });
});

describe('Backfill checkpoint', () => {
  it('moves only past objects done without a gap before them', () => {
    // Prepare
    const frontier = new DoneFrontier(['k0', 'k1', 'k2', 'k3']);

    // Act
    const moves = [frontier.markDone(1), frontier.markDone(2), frontier.markDone(0), frontier.markDone(3)];

    // Assess
    expect(moves).toEqual([undefined, undefined, 'k2', 'k3']);
  });

  it('is read back only for the same prefix and mode', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'picflow-checkpoint-'));
    const path = join(dir, 'backfill', 'checkpoint.json');
    writeCheckpoint(path, { prefix: 'uploads/', reanalyse: false, lastKey: 'uploads/k.png' });

    // Act
    const same = readCheckpoint(path, { prefix: 'uploads/', reanalyse: false });
    const otherMode = readCheckpoint(path, { prefix: 'uploads/', reanalyse: true });
    const otherPrefix = readCheckpoint(path, { prefix: 'uploads/2024/', reanalyse: false });

    // Assess
    expect(same?.lastKey).toBe('uploads/k.png');
    expect([otherMode, otherPrefix]).toEqual([undefined, undefined]);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('Backfill sequencers', () => {
  const stored = '0062E99A88DC407460';
  const laterUpload = '0062E99A88DC407461';

  it('the first one is below every real sequencer', () => {
    expect(sequencerKey(FIRST_BACKFILL_SEQUENCER) < sequencerKey('0000000000000001')).toBe(true);
  });

  it('a bumped one is newer than the stored version and older than any later real upload, and does not grow', () => {
    // Act
    const once = bumpedSequencer(stored);
    const twice = bumpedSequencer(once);

    // Assess
    expect(sequencerKey(once) > sequencerKey(stored)).toBe(true);
    expect(sequencerKey(twice) > sequencerKey(once)).toBe(true);
    expect(sequencerKey(laterUpload) > sequencerKey(twice)).toBe(true);
    expect(twice).toHaveLength(48);
  });
});
