// The HTTP API mounted same-origin in the console (/api/v1, the same handlers as picflow dev's API port)
// and the passage to the local S3 for the presigned GETs and form POSTs it hands out (/api/s3), on a
// real local stack (analyses off: thumbnails only). The console's own guards apply to both.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { FIXTURES, startStackWithConsole, tempDir, type Running } from './support';

jest.setTimeout(90_000);

interface ImageAnswer {
  status: string;
  thumbnails: { name: string; url: string }[];
}

describe('The HTTP API through the console', () => {
  const data = tempDir('console-api-mount');
  let running: Running;
  let base: string;

  beforeAll(async () => {
    running = await startStackWithConsole(data.path, { taskEnvironment: { ANALYSES: '' } });
    base = running.console.url;
  });

  afterAll(async () => {
    await running?.close();
    data.remove();
  });

  /** The API's view of one image once its execution has ended. */
  async function analysed(imageId: string): Promise<ImageAnswer> {
    for (;;) {
      const answer = await fetch(`${base}/api/v1/images/${encodeURIComponent(imageId)}`);
      if (answer.status === 200) {
        const image = (await answer.json()) as ImageAnswer;
        if (image.status !== 'PROCESSING') return image;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** A presigned URL of the local S3 as the page sends it: to the console, under /api/s3. */
  const throughConsole = (url: string): string => {
    const presigned = new URL(url);
    return `${base}/api/s3${presigned.pathname}${presigned.search}`;
  };

  it('stores an image sent to POST /api/v1/images and serves its thumbnail through the presigned URL', async () => {
    const bytes = readFileSync(join(FIXTURES, 'coffee.png'));
    const stored = await fetch(`${base}/api/v1/images`, { method: 'POST', headers: { 'Content-Type': 'image/png' }, body: bytes });
    expect(stored.status).toBe(202);
    const { imageId } = (await stored.json()) as { imageId: string };

    const image = await analysed(imageId);
    expect(image.status).toBe('SUCCEEDED');
    const thumbnail = await fetch(throughConsole(image.thumbnails[0].url));
    expect(thumbnail.status).toBe(200);
    expect(thumbnail.headers.get('content-type')).toMatch(/^image\//);
    const { width } = await sharp(Buffer.from(await thumbnail.arrayBuffer())).metadata();
    expect(width).toBeGreaterThan(0);

    // The same images the API's query gives.
    const listed = (await (await fetch(`${base}/api/v1/images?status=SUCCEEDED`)).json()) as { images: { imageId: string }[] };
    expect(listed.images.map((i) => i.imageId)).toContain(imageId);
  });

  it("answers the API's errors in the API's shape", async () => {
    const notAnImage = await fetch(`${base}/api/v1/images`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'notes' });
    expect(notAnImage.status).toBe(415);
    expect(await notAnImage.json()).toMatchObject({ code: expect.any(String), message: expect.stringContaining('Content-Type') });
    const missing = await fetch(`${base}/api/v1/images/${encodeURIComponent('picflow-local/uploads/never.png')}`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { message: string }).message).toContain('There is no image');
  });

  it('uploads a large image the presigned way: POST /api/v1/uploads, then the form through /api/s3', async () => {
    const created = await fetch(`${base}/api/v1/uploads`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ contentType: 'image/jpeg' }),
    });
    expect(created.status).toBe(201);
    const { url, fields, imageId } = (await created.json()) as { url: string; fields: Record<string, string>; imageId: string };
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    form.append('file', new Blob([readFileSync(join(FIXTURES, 'rocket.jpg'))], { type: 'image/jpeg' }), 'rocket.jpg');

    const posted = await fetch(throughConsole(url), { method: 'POST', body: form });
    expect(posted.status).toBeLessThan(300);
    expect((await analysed(imageId)).status).toBe('SUCCEEDED');
  });

  it("keeps the console's guards on the API and the S3 passage, and S3's own checks behind it", async () => {
    const png = readFileSync(join(FIXTURES, 'coffee.png'));
    const crossSite = await fetch(`${base}/api/v1/images`, {
      method: 'POST',
      headers: { 'Content-Type': 'image/png', Origin: 'http://evil.example' },
      body: png,
    });
    expect(crossSite.status).toBe(403);
    const sameSite = await fetch(`${base}/api/v1/images?status=FAILED`, { headers: { 'Sec-Fetch-Site': 'same-site' } });
    expect(sameSite.status).toBe(403);
    const ownOrigin = await fetch(`${base}/api/v1/images?status=FAILED`, { headers: { Origin: base, 'Sec-Fetch-Site': 'same-origin' } });
    expect(ownOrigin.status).toBe(200);

    // Only presigned GETs of what the console shows anyway (uploads, thumbnails), only form POSTs to the bucket.
    const { bucket, uploadPrefix } = running.stack;
    const key = `${bucket}/${uploadPrefix}anything.png`;
    const { images } = (await (await fetch(`${base}/api/v1/images?status=SUCCEEDED`)).json()) as { images: { imageId: string }[] };
    const signed = new URL((await analysed(images[0].imageId)).thumbnails[0].url);
    expect((await fetch(`${base}/api/s3/${key}`)).status).toBe(403);
    expect((await fetch(`${base}/api/s3/${bucket}/analysis/x.json${signed.search}`)).status).toBe(403);
    expect((await fetch(`${base}/api/s3/${bucket}/${uploadPrefix}..%2Fanalysis%2Fx.json${signed.search}`)).status).toBe(403);
    expect((await fetch(`${base}/api/s3/other-bucket/${uploadPrefix}x.png${signed.search}`)).status).toBe(403);
    expect((await fetch(`${base}/api/s3/${bucket}${signed.pathname.slice(bucket.length + 1)}${signed.search}`)).status).toBe(200);
    const formToKey = await fetch(`${base}/api/s3/${key}`, { method: 'POST', body: new FormData() });
    expect(formToKey.status).toBe(403);
    expect((await fetch(`${base}/api/s3/${key}`, { method: 'PUT', body: png })).status).toBe(405);
    const crossSiteRead = await fetch(`${base}/api/s3/${key}?X-Amz-Signature=00`, { headers: { Origin: 'http://evil.example' } });
    expect(crossSiteRead.status).toBe(403);

    // Why the passage exists: the local S3 itself refuses the console page's own origin.
    const direct = await fetch(`${running.stack.endpoints.s3}/${running.stack.bucket}`, { method: 'POST', headers: { Origin: base } });
    expect(direct.status).toBe(403);
  });
});
