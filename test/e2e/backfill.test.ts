// `picflow backfill` on a pre-filled local bucket: a few hundred tiny images (thumbnails only), some of them
// analysed before; each image is analysed once, items that are current are skipped, a second run analyses
// nothing, and a run killed half-way resumes from its checkpoint without analysing anything twice.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { checkpointPath } from '../../local/backfill/backfill-checkpoint';
import { ObjectStore } from '../../local/s3/object-store';
import { startLocalStack } from '../../local/stack/local-stack';
import { allImages } from '../../tasks/shared/image-scan';
import { runPicflow, tempDir } from './support';

jest.setTimeout(300_000);

const BIN = join(__dirname, '..', '..', 'bin', 'picflow.js');
const ENV = { ANALYSES: 'none', THUMBNAIL_SIZES: '32x32', MALLOC_ARENA_MAX: '2' };

/** A small PNG (48 px: ValidateImage refuses images under 40 px), different for each n (so each has its own ETag). */
function tinyImage(n: number): Promise<Buffer> {
  return sharp({ create: { width: 48, height: 48, channels: 3, background: { r: n % 256, g: (n >> 8) % 256, b: 7 } } })
    .png()
    .toBuffer();
}

/** Objects written straight into the local store with no event: images that were there before picflow. */
async function preFill(dataDir: string, keys: string[]): Promise<void> {
  const store = await ObjectStore.open(join(dataDir, 's3'));
  try {
    if (!(await store.bucketExists('picflow-local'))) await store.createBucket('picflow-local');
    for (const [i, key] of keys.entries()) {
      const staged = await store.stage(Readable.from(await tinyImage(i)), 1024 * 1024);
      await store.putObject('picflow-local', key, staged, { headers: { 'content-type': 'image/png' }, metadata: {} }, { emit: false });
    }
  } finally {
    await store.close();
  }
}

/** Items by key, and how many executions each image had, read from a stack that starts no work. */
async function stateOf(dataDir: string): Promise<{ statuses: Map<string, string>; executions: Map<string, number> }> {
  const stack = await startLocalStack({ dataDir, recover: false, taskEnvironment: ENV, rekognitionWorkers: 1 });
  try {
    const items = await allImages(stack.clients.dynamodb, stack.tableName, { consistentRead: true });
    const executions = new Map<string, number>();
    for (const summary of await stack.store.list()) {
      const key = (summary.imageId ?? '').replace('picflow-local/', '');
      executions.set(key, (executions.get(key) ?? 0) + 1);
    }
    return { statuses: new Map(items.map((i) => [String(i.key), String(i.status)])), executions };
  } finally {
    await stack.close();
  }
}

const keysOf = (from: number, count: number, folder = 'uploads/') =>
  Array.from({ length: count }, (_, i) => `${folder}img-${String(from + i).padStart(4, '0')}.png`);

describe('picflow backfill (local)', () => {
  const data = tempDir('backfill');
  afterAll(() => data.remove());
  const analysedBefore = keysOf(0, 20);
  const preFilled = keysOf(20, 280);

  it('analyses each pre-filled image once and skips those with a current item; a second run analyses nothing', async () => {
    // Prepare: 20 images uploaded (and analysed) through a running stack, then 280 objects put in without events
    const stack = await startLocalStack({ dataDir: data.path, taskEnvironment: ENV, rekognitionWorkers: 1 });
    for (const [i, key] of analysedBefore.entries()) {
      await stack.clients.s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: key, Body: await tinyImage(10_000 + i) }));
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    await stack.runner.idle();
    await stack.close();
    await preFill(data.path, preFilled);

    // Act
    const first = await runPicflow(['--data-dir', data.path, 'backfill'], ENV);
    const second = await runPicflow(['--data-dir', data.path, 'backfill'], ENV);

    // Assess
    expect(first.stderr).toContain('300 objects under uploads/');
    expect(first.stdout).toContain('backfill: 300 listed, 280 analysed, 20 skipped, 0 failed');
    expect(first.code).toBe(0);
    expect(second.stdout).toContain('backfill: 300 listed, 0 analysed, 300 skipped, 0 failed');
    expect(second.code).toBe(0);
    const { statuses, executions } = await stateOf(data.path);
    expect([...statuses.values()].filter((s) => s === 'SUCCEEDED')).toHaveLength(300);
    expect([...executions.entries()].filter(([, count]) => count !== 1)).toEqual([]);
    expect(existsSync(checkpointPath(data.path))).toBe(false);
  });

  it('resumes after a crash (SIGKILL half-way) from its checkpoint, and analyses every image once', async () => {
    // Prepare: 120 more objects, and a backfill killed once 40 of them are done
    const added = keysOf(300, 120, 'uploads/batch2/');
    await preFill(data.path, added);
    const child = spawn(process.execPath, [BIN, '--data-dir', data.path, 'backfill', '--prefix', 'uploads/batch2/'], {
      env: { ...process.env, ...ENV },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    await new Promise<void>((resolve, reject) => {
      child.stderr!.on('data', (chunk: Buffer) => {
        if (/\[40\/\d+\]/.test(chunk.toString())) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.on('exit', (code) => reject(new Error(`backfill ended (${code}) before it could be killed`)));
    });
    await new Promise((resolve) => child.on('close', resolve));
    expect(existsSync(checkpointPath(data.path))).toBe(true);

    // Act
    const resumed = await runPicflow(['--data-dir', data.path, 'backfill', '--prefix', 'uploads/batch2/'], ENV);

    // Assess: it listed only what was after the checkpoint; every image ends SUCCEEDED with one execution
    expect(resumed.stdout).toMatch(/resumed after uploads\/batch2\/img-0[34]\d\d\.png/);
    expect(resumed.code).toBe(0);
    const { statuses, executions } = await stateOf(data.path);
    expect(added.filter((key) => statuses.get(key) !== 'SUCCEEDED')).toEqual([]);
    expect([...executions.entries()].filter(([, count]) => count !== 1)).toEqual([]);
    expect(existsSync(checkpointPath(data.path))).toBe(false);
  });

  it('exits 1 and names the object when an image fails, and 2 for a prefix outside the uploads', async () => {
    // Prepare: an object that is not an image
    const store = await ObjectStore.open(join(data.path, 's3'));
    const staged = await store.stage(Readable.from(Buffer.from('not an image')), 1024);
    await store.putObject('picflow-local', 'uploads/broken/notes.png', staged, { headers: {}, metadata: {} }, { emit: false });
    await store.close();

    // Act
    const failed = await runPicflow(['--data-dir', data.path, 'backfill', '--prefix', 'uploads/broken/'], ENV);
    const outside = await runPicflow(['--data-dir', data.path, 'backfill', '--prefix', 'thumbnails/'], ENV);
    const watchAlone = await runPicflow(['--data-dir', data.path, 'backfill', '--watch'], ENV);

    // Assess
    expect(failed.stdout).toContain('backfill: 1 listed, 0 analysed, 0 skipped, 1 failed');
    expect(failed.stdout).toContain('FAILED uploads/broken/notes.png');
    expect(failed.code).toBe(1);
    expect(outside.stderr).toContain('is not under the upload prefix uploads/');
    expect(outside.code).toBe(2);
    expect(watchAlone.stderr).toContain('--watch needs --stack');
    expect(watchAlone.code).toBe(2);
  });
});
