// A `.picflow/s3` written by s3rver (picflow's local S3 before its own store) is imported on the
// first start: objects with their content type and metadata, even those with a torn metadata file.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { startS3Server, type S3Server } from '../../../local/s3/s3-server';
import { BUCKET, readBytes, s3Client } from './support';

/** Writes one object the way s3rver's filesystem store lays it out. */
function writeS3rverObject(root: string, key: string, body: string, metadata?: Record<string, string> | 'torn'): void {
  const base = join(root, BUCKET, key);
  mkdirSync(dirname(base), { recursive: true });
  writeFileSync(`${base}._S3rver_object`, body);
  writeFileSync(`${base}._S3rver_object.md5`, createHash('md5').update(body).digest('hex'));
  if (metadata) writeFileSync(`${base}._S3rver_metadata.json`, metadata === 'torn' ? '' : JSON.stringify(metadata));
}

describe('Local S3 store: import of s3rver data', () => {
  let directory: string;
  let server: S3Server | undefined;

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'picflow-s3-import-'));
  });

  afterEach(async () => {
    await server?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('imports objects, content types and metadata once, and keeps the old tree aside', async () => {
    // Prepare
    writeS3rverObject(directory, 'uploads/a.jpg', 'jpeg', { 'content-type': 'image/jpeg', 'x-amz-meta-origin': 'camera' });
    writeS3rverObject(directory, 'uploads/deep/b c.png', 'png', { 'content-type': 'image/png' });
    writeS3rverObject(directory, 'uploads/torn.jpg', 'torn bytes', 'torn');
    mkdirSync(join(directory, BUCKET, '._S3rver_uploads', 'pending'), { recursive: true });
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);

    // Act: first start imports, second start finds nothing more to import
    server = await startS3Server({ directory, buckets: [BUCKET] });
    await server.close();
    server = await startS3Server({ directory, buckets: [BUCKET] });
    const messages = stderr.mock.calls.map(([text]) => String(text));
    stderr.mockRestore();
    const s3 = s3Client(server.endpoint);

    // Assess
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }));
    expect(listed.Contents?.map((o) => o.Key)).toEqual(['uploads/a.jpg', 'uploads/deep/b c.png', 'uploads/torn.jpg']);
    expect(await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'uploads/a.jpg' }))).toMatchObject({
      ContentType: 'image/jpeg',
      Metadata: { origin: 'camera' },
    });
    expect((await readBytes(s3, 'uploads/deep/b c.png')).toString()).toBe('png');
    expect((await readBytes(s3, 'uploads/torn.jpg')).toString()).toBe('torn bytes');
    expect(messages.filter((text) => text.includes('imported 3 object(s)'))).toHaveLength(1);
    expect(existsSync(join(directory, BUCKET))).toBe(false);
    expect(readdirSync(join(directory, 's3rver-imported'))).toHaveLength(1);
    s3.destroy();
  });
});
