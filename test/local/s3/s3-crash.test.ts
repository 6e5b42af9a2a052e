// Crash safety of the local S3 store's commit: a store SIGKILLed in the middle of a PUT (issue 15,
// D4) restarts with the old version intact (bytes and ETag), lists, and keeps no half-written body.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { PassThrough } from 'node:stream';
import { HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { startS3Server, type S3Server } from '../../../local/s3/s3-server';
import { BUCKET, readBytes, s3Client } from './support';

const CHILD = join(__dirname, 's3-child.ts');

/** Starts the store in a child process; resolves with its endpoint and a SIGKILL. */
async function startChild(directory: string): Promise<{ endpoint: string; kill(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, directory], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = await Promise.race([
    createInterface({ input: child.stdout })
      [Symbol.asyncIterator]()
      .next()
      .then((r) => [r.value as string]),
    new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`store exited with ${code}`)))),
  ]);
  return {
    endpoint: (JSON.parse(line) as { endpoint: string }).endpoint,
    kill: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}

describe('Local S3 store: crash in the middle of a PUT', () => {
  let directory: string;
  let s3: S3Client | undefined;
  let server: S3Server | undefined;

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'picflow-s3-crash-'));
  });

  afterEach(async () => {
    s3?.destroy();
    await server?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('keeps the old version whole and lists after a SIGKILL during an overwrite', async () => {
    // Prepare: a committed version, then an overwrite whose body has been half sent
    const child = await startChild(directory);
    const childS3 = s3Client(child.endpoint);
    const old = randomBytes(300_000);
    await childS3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'uploads/photo.jpg', Body: old }));
    const body = new PassThrough();
    const overwrite = childS3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: 'uploads/photo.jpg', Body: body, ContentLength: 2_000_000 }),
    );
    overwrite.catch(() => undefined);
    body.write(randomBytes(1_000_000));
    await new Promise((resolve) => setTimeout(resolve, 300));

    // Act: kill the store mid-body, start it again on the same directory
    await child.kill();
    childS3.destroy();
    server = await startS3Server({ directory, buckets: [BUCKET] });
    s3 = s3Client(server.endpoint);

    // Assess
    await expect(overwrite).rejects.toBeDefined();
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'uploads/' }));
    expect(listed.Contents?.map((o) => [o.Key, o.Size])).toEqual([['uploads/photo.jpg', old.length]]);
    expect((await readBytes(s3, 'uploads/photo.jpg')).equals(old)).toBe(true);
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'uploads/photo.jpg' }));
    expect(head.ETag).toBe(`"${createHash('md5').update(old).digest('hex')}"`);
    expect(readdirSync(join(directory, 'tmp'))).toEqual([]);
  });
});
