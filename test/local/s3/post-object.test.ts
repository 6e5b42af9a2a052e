// The local S3's browser-form upload (POST Object) with its policy enforced. @aws-sdk/s3-presigned-post
// is not installed, so the form is built here as it builds one: a base64 JSON policy signed with SigV4.
import { createHmac } from 'node:crypto';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { CreatedObject } from '../../../local/s3/s3-server';
import { BUCKET, readBytes, startStore, type StoreUnderTest } from './support';

const SECRET = 'local';

function signingKey(date: string): Buffer {
  let key: Buffer = createHmac('sha256', `AWS4${SECRET}`).update(date).digest();
  for (const part of ['us-east-1', 's3', 'aws4_request']) key = createHmac('sha256', key).update(part).digest();
  return key;
}

/** The fields createPresignedPost returns, for `conditions` and a policy expiring at `expiration`. */
function presignedPost(
  key: string,
  conditions: unknown[],
  expiration = new Date(Date.now() + 60_000),
  extraFields: Record<string, string> = {},
): Record<string, string> {
  const amzDate = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const credential = `local/${amzDate.slice(0, 8)}/us-east-1/s3/aws4_request`;
  const fields: Record<string, string> = {
    bucket: BUCKET,
    'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
    'X-Amz-Credential': credential,
    'X-Amz-Date': amzDate,
    key,
    ...extraFields,
  };
  const policy = Buffer.from(
    JSON.stringify({
      expiration: expiration.toISOString(),
      conditions: [...Object.entries(fields).map(([name, value]) => ({ [name]: value })), ...conditions],
    }),
  ).toString('base64');
  return {
    ...fields,
    Policy: policy,
    'X-Amz-Signature': createHmac('sha256', signingKey(amzDate.slice(0, 8)))
      .update(policy)
      .digest('hex'),
  };
}

function form(fields: Record<string, string>, file: Buffer, type = 'image/png', extraAfterFile?: Record<string, string>): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.append(name, value);
  data.append('file', new Blob([file], { type }), 'photo.png');
  for (const [name, value] of Object.entries(extraAfterFile ?? {})) data.append(name, value);
  return data;
}

describe('Local S3 store: presigned POST (browser form upload)', () => {
  let store: StoreUnderTest;
  let url: string;

  beforeEach(async () => {
    store = await startStore();
    url = `${store.server.endpoint}/${BUCKET}`;
  });

  afterEach(async () => {
    await store.close();
  });

  const limitedToImages = [
    ['starts-with', '$key', 'uploads/'],
    ['starts-with', '$Content-Type', 'image/'],
    ['content-length-range', 1, 1000],
  ];

  it('stores the file under the key (with ${filename}), answers 204 and emits a PostObject event', async () => {
    // Prepare
    const events: CreatedObject[] = [];
    store.server.onObjectCreated((o) => events.push(o));
    const fields = presignedPost('uploads/${filename}', limitedToImages, undefined, { 'Content-Type': 'image/png' });
    const bytes = Buffer.from('png bytes \r\n--not a boundary');

    // Act
    const response = await fetch(url, { method: 'POST', body: form(fields, bytes, 'image/png', { ignored: 'after the file' }) });

    // Assess
    expect(response.status).toBe(204);
    expect(await readBytes(store.s3, 'uploads/photo.png')).toEqual(bytes);
    expect(events).toEqual([
      expect.objectContaining({
        key: 'uploads/photo.png',
        reason: 'PostObject',
        size: bytes.length,
        etag: response.headers.get('etag')!.replace(/"/g, ''),
      }),
    ]);
  });

  it('answers 201 with a PostResponse document, or 303 to success_action_redirect', async () => {
    // Prepare
    const created = presignedPost('uploads/a.png', [], undefined, { success_action_status: '201' });
    const redirected = presignedPost('uploads/b.png', [], undefined, { success_action_redirect: 'http://127.0.0.1:1/done' });

    // Act
    const first = await fetch(url, { method: 'POST', body: form(created, Buffer.from('a')) });
    const second = await fetch(url, { method: 'POST', body: form(redirected, Buffer.from('b')), redirect: 'manual' });

    // Assess
    expect(first.status).toBe(201);
    expect(await first.text()).toContain('<Key>uploads/a.png</Key>');
    expect(second.status).toBe(303);
    expect(new URL(second.headers.get('location')!).searchParams.get('key')).toBe('uploads/b.png');
    expect((await readBytes(store.s3, 'uploads/b.png')).toString()).toBe('b');
  });

  it('refuses uploads that break the policy, with S3 errors, and stores nothing', async () => {
    // Prepare
    const valid = (key = 'uploads/x.png', type = 'image/png') => presignedPost(key, limitedToImages, undefined, { 'Content-Type': type });
    const expired = presignedPost('uploads/x.png', [], new Date(Date.now() - 1000));
    const { Policy: _policy, 'X-Amz-Signature': _signature, ...anonymous } = valid();
    const unlisted = { ...valid(), 'x-amz-meta-extra': 'not in the policy' };

    // Act
    const answers = await Promise.all(
      [
        form(valid(), Buffer.alloc(1001)), // over content-length-range
        form(valid('uploads/x.png', 'text/html'), Buffer.from('x')), // Content-Type condition
        form(valid('elsewhere/x.png'), Buffer.from('x')), // key condition
        form(expired, Buffer.from('x')),
        form(anonymous, Buffer.from('x')),
        form(unlisted, Buffer.from('x')),
        form(presignedPost('uploads/x.png', [], undefined, { bucket: 'another-bucket' }), Buffer.from('x')), // signed for another bucket
      ].map(async (body) => {
        const response = await fetch(url, { method: 'POST', body });
        return { status: response.status, code: /<Code>([^<]+)<\/Code>/.exec(await response.text())?.[1] };
      }),
    );
    const listed = await store.s3.send(new ListObjectsV2Command({ Bucket: BUCKET }));

    // Assess
    expect(answers).toEqual([
      { status: 400, code: 'EntityTooLarge' },
      { status: 403, code: 'AccessDenied' },
      { status: 403, code: 'AccessDenied' },
      { status: 403, code: 'AccessDenied' },
      { status: 403, code: 'AccessDenied' },
      { status: 403, code: 'AccessDenied' },
      { status: 403, code: 'AccessDenied' },
    ]);
    expect(listed.KeyCount).toBe(0);
  });

  it('refuses a cross-site form post before reading it (Origin of another site)', async () => {
    // Prepare
    const fields = presignedPost('uploads/x.png', []);

    // Act
    const response = await fetch(url, { method: 'POST', body: form(fields, Buffer.from('x')), headers: { Origin: 'http://evil.example' } });

    // Assess
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('cross-origin');
  });
});
