// The HTTP API as `picflow dev` serves it, through real HTTP with plain fetch as an application (or curl)
// would call it: presigned POST form to the local S3 → analysis → GET until SUCCEEDED (the presigned
// thumbnail downloads and decodes) → find by label → DELETE (twice); a foreign Origin or Host is
// refused; an unknown id is a 404 in the API's error shape. And `picflow delete` / `find` against it.
import { request } from 'node:http';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { picflow, startDev, type DevServer } from '../cli/run-picflow';
import { fixturePath, tempDir } from './support';

/** What GET /images/{id} answers, as far as these tests read it (api/openapi.json has the whole shape). */
interface ImageResponse {
  status: string;
  labels: { name: string }[];
  thumbnails: { url: string; width: number }[];
}

jest.setTimeout(240_000);

/** A raw request with a Host of our choosing (fetch does not let a caller set Host). */
function rawGet(port: number, path: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('HTTP API served by picflow dev', () => {
  const data = tempDir('api-dev');
  const cat = readFileSync(fixturePath('chelsea.png'));
  let dev: DevServer;
  let api: string;

  /** POST /uploads, then the form to the presigned URL as `curl -F` sends it; the image id. */
  async function upload(): Promise<string> {
    const created = await fetch(`${api}/uploads`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ contentType: 'image/png' }),
    });
    expect(created.status).toBe(201);
    const { url, fields, imageId } = (await created.json()) as { url: string; fields: Record<string, string>; imageId: string };
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    form.append('file', new Blob([cat], { type: 'image/png' }), 'chelsea.png');
    const posted = await fetch(url, { method: 'POST', body: form });
    expect(posted.status).toBe(204);
    return imageId;
  }

  async function settled(imageId: string): Promise<ImageResponse> {
    for (;;) {
      const response = await fetch(`${api}/images/${encodeURIComponent(imageId)}`);
      if (response.status === 200) {
        const image = (await response.json()) as ImageResponse;
        if (['SUCCEEDED', 'PARTIAL', 'FAILED'].includes(image.status)) return image;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  beforeAll(async () => {
    // Labels only: the cheapest analysis that feeds the label index under test. The log level is picflow
    // dev's own (the tests' SILENT would hide a change of it).
    dev = await startDev(data.path, { ANALYSES: 'labels', POWERTOOLS_LOG_LEVEL: undefined });
    api = `http://127.0.0.1:${dev.port + 5}`;
  });

  afterAll(async () => {
    await dev?.stop();
    data.remove();
  });

  it('says where the API is', () => {
    expect(dev.log()).toContain(`HTTP API     ${api}`);
  });

  it('uploads with a presigned POST, analyses, serves a decodable thumbnail, finds by label, deletes (twice)', async () => {
    // Act: upload and wait for the analysis
    const imageId = await upload();
    const image = await settled(imageId);

    // Assess: analysed, with a thumbnail that downloads and decodes
    expect(image).toMatchObject({ imageId, status: 'SUCCEEDED' });
    expect(image.labels.map((l: { name: string }) => l.name)).toContain('Cat');
    const thumbnail = await fetch(image.thumbnails[0].url);
    expect(thumbnail.status).toBe(200);
    const metadata = await sharp(Buffer.from(await thumbnail.arrayBuffer())).metadata();
    expect({ format: metadata.format, width: metadata.width }).toEqual({ format: 'jpeg', width: image.thumbnails[0].width });

    // Act + Assess: found by label (any case, with a minimum confidence), not above its confidence
    const found = (await (await fetch(`${api}/images?label=cat&minConfidence=50`)).json()) as { images: { imageId: string }[] };
    expect(found.images.map((row) => row.imageId)).toContain(imageId);
    const tooConfident = (await (await fetch(`${api}/images?label=cat&minConfidence=100`)).json()) as { images: unknown[] };
    expect(tooConfident.images).toEqual([]);

    // Act + Assess: deleted, and a second delete is fine
    const first = await fetch(`${api}/images/${imageId}`, { method: 'DELETE' });
    const second = await fetch(`${api}/images/${imageId}`, { method: 'DELETE' });
    expect([first.status, second.status]).toEqual([204, 204]);
    expect((await fetch(`${api}/images/${imageId}`)).status).toBe(404);
    expect((await fetch(image.thumbnails[0].url)).status).toBe(404);
    // Serving the API does not change the tasks' log level (WARN in picflow dev): no INFO line per task.
    expect(dev.log()).not.toContain('"level":"INFO"');
  });

  it('answers an unknown id with a 404 in the error shape', async () => {
    // Act
    const response = await fetch(`${api}/images/picflow-local/uploads/no-such.png`);

    // Assess
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toMatchObject({
      code: 'NotFound',
      message: expect.stringContaining('no-such.png'),
      requestId: expect.any(String),
    });
  });

  it('refuses a foreign Origin and a foreign Host with 403, and serves its own Host', async () => {
    // Act
    const foreignOrigin = await fetch(`${api}/images`, { headers: { origin: 'https://evil.example' } });
    const foreignHost = await rawGet(dev.port + 5, '/images', `evil.example:${dev.port + 5}`);
    const ownHost = await rawGet(dev.port + 5, '/images', `localhost:${dev.port + 5}`);

    // Assess
    expect(foreignOrigin.status).toBe(403);
    expect(foreignOrigin.headers.get('access-control-allow-origin')).toBeNull();
    expect(await foreignOrigin.json()).toMatchObject({ code: 'Forbidden', message: expect.stringContaining('PICFLOW_API_ORIGINS') });
    expect(foreignHost.status).toBe(403);
    expect(JSON.parse(foreignHost.body)).toMatchObject({ code: 'Forbidden' });
    expect(ownHost.status).toBe(200);
  });

  it('picflow find --label --min-confidence and picflow delete go through the running dev', async () => {
    // Prepare
    const imageId = await upload();
    await settled(imageId);
    const key = imageId.slice(imageId.indexOf('/') + 1);

    // Act
    const found = await picflow(['--data-dir', data.path, 'find', '--label', 'Cat', '--min-confidence', '50', '--json']);
    const notFound = await picflow(['--data-dir', data.path, 'find', '--label', 'Cat', '--min-confidence', '100', '--json']);
    const deleted = await picflow(['--data-dir', data.path, 'delete', key]);

    // Assess
    expect(found.code).toBe(0);
    expect(JSON.parse(found.stdout).map((item: { imageId: string }) => item.imageId)).toContain(imageId);
    expect(JSON.parse(notFound.stdout)).toEqual([]);
    expect(deleted).toMatchObject({ code: 0, stderr: expect.stringContaining(`deleted ${imageId} (through picflow dev`) });
    expect((await fetch(`${api}/images/${encodeURIComponent(imageId)}`)).status).toBe(404);
  });
});

describe('picflow find and delete on the data directory (no dev running)', () => {
  const data = tempDir('api-dev-dir');
  const read = (args: string[]) => picflow(['--data-dir', data.path, ...args]);

  beforeAll(async () => {
    const analyzed = await picflow(['--data-dir', data.path, 'analyze', '--workers', '1', fixturePath('chelsea.png')], {
      ANALYSES: 'labels',
    });
    if (analyzed.code !== 0) throw new Error(`analyze: ${analyzed.code} ${analyzed.stderr}`);
  });
  afterAll(() => data.remove());

  it('find --min-confidence needs --label and a percentage (usage errors, exit 2)', async () => {
    // Act
    const withoutLabel = await read(['find', '--min-confidence', '80']);
    const outOfRange = await read(['find', '--label', 'Cat', '--min-confidence', '101']);

    // Assess
    expect(withoutLabel).toMatchObject({ code: 2, stderr: expect.stringContaining('--min-confidence needs --label') });
    expect(outOfRange).toMatchObject({ code: 2, stderr: expect.stringContaining('expected a percentage from 0 to 100') });
  });

  it('delete removes the image from the data directory, and a second delete is fine', async () => {
    // Prepare
    const before = JSON.parse((await read(['find', '--label', 'Cat', '--min-confidence', '50', '--json'])).stdout) as { key: string }[];

    // Act
    const first = await read(['delete', 'chelsea.png']);
    const second = await read(['delete', 'chelsea.png']);
    const shown = await read(['show', 'chelsea.png']);

    // Assess
    expect(before.map((item) => item.key)).toEqual(['uploads/chelsea.png']);
    expect(first).toMatchObject({ code: 0, stderr: expect.stringContaining('deleted picflow-local/uploads/chelsea.png') });
    expect(second.code).toBe(0);
    expect(shown.code).toBe(1);
    expect(JSON.parse((await read(['find', '--label', 'Cat', '--json'])).stdout)).toEqual([]);
  });
});
