// Face search and people through real HTTP, as `picflow dev` serves them, and through the `picflow faces`
// / `picflow people` commands (which go through that same running API): photos of several people are
// indexed; a different photo of one of them finds their other photos and not the others; a person made
// from a face and named is tagged on a later upload; two people merge; deleting a person leaves the faces.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { picflow, startDev, type DevServer } from '../cli/run-picflow';
import { tempDir } from './support';

jest.setTimeout(400_000);

const FACES = join(__dirname, '..', 'fixtures', 'faces');
const photoPath = (name: string) => join(FACES, name);

interface Face {
  faceId?: string;
}
interface ImageResponse {
  imageId: string;
  key: string;
  status: string;
  faces?: Face[];
  people?: { userId: string; name?: string; similarity: number }[];
}

describe('Face search and people served by picflow dev', () => {
  const data = tempDir('faces-dev');
  let dev: DevServer;
  let api: string;
  /** Image id by fixture name, as POST /images stored them. */
  const stored = new Map<string, ImageResponse>();
  const cli = (...args: string[]) => picflow(['--data-dir', data.path, ...args]);

  async function store(name: string): Promise<ImageResponse> {
    const response = await fetch(`${api}/images`, {
      method: 'POST',
      headers: { 'content-type': 'image/jpeg' },
      body: readFileSync(photoPath(name)),
    });
    expect(response.status).toBe(202);
    const { imageId } = (await response.json()) as { imageId: string };
    for (;;) {
      const got = await fetch(`${api}/images/${encodeURIComponent(imageId)}`);
      if (got.status === 200) {
        const image = (await got.json()) as ImageResponse;
        if (['SUCCEEDED', 'PARTIAL', 'FAILED'].includes(image.status)) {
          stored.set(name, image);
          return image;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  const json = async (response: Response) => ({ status: response.status, body: (await response.json()) as Record<string, unknown> });
  const post = (path: string, body: unknown) =>
    fetch(`${api}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const keysOf = (matches: { key: string }[]) => matches.map((m) => m.key).sort();
  const keyOf = (name: string) => stored.get(name)!.key;
  const faceOf = (name: string) => stored.get(name)!.faces![0]!.faceId!;

  beforeAll(async () => {
    dev = await startDev(data.path, { ANALYSES: 'faces' });
    api = `http://127.0.0.1:${dev.port + 5}`;
    // Two photos of dad, two of mom, one of the son, one of another family's man.
    for (const name of [
      'family1-dad1.jpg',
      'family1-dad2.jpg',
      'family1-mom1.jpg',
      'family1-mom2.jpg',
      'family1-son1.jpg',
      'family2-man1.jpg',
    ]) {
      const image = await store(name);
      expect([name, image.status, image.faces?.length]).toEqual([name, 'SUCCEEDED', 1]);
    }
  });

  afterAll(async () => {
    await dev?.stop();
    data.remove();
  });

  it("finds a person's other photos from a new photo of them, and not the others'", async () => {
    // Act: search with a photo that is not stored
    const response = await fetch(`${api}/faces/search`, {
      method: 'POST',
      headers: { 'content-type': 'image/jpeg' },
      body: readFileSync(photoPath('family1-dad3.jpg')),
    });

    // Assess
    const { status, body } = await json(response);
    expect(status).toBe(200);
    expect(keysOf(body.matches as { key: string }[])).toEqual([keyOf('family1-dad1.jpg'), keyOf('family1-dad2.jpg')].sort());
  });

  it('picflow faces search finds the same photos through the running API; a photo without a face is a 400 sentence', async () => {
    // Act
    const searched = await cli('faces', 'search', photoPath('family1-dad3.jpg'), '--json');
    const noFace = await fetch(`${api}/faces/search`, {
      method: 'POST',
      headers: { 'content-type': 'image/jpeg' },
      body: await sharp({ create: { width: 320, height: 240, channels: 3, background: '#7a8a9a' } })
        .jpeg()
        .toBuffer(),
    });

    // Assess
    expect(searched.code).toBe(0);
    expect(keysOf(JSON.parse(searched.stdout).matches)).toEqual([keyOf('family1-dad1.jpg'), keyOf('family1-dad2.jpg')].sort());
    expect(await json(noFace)).toEqual({
      status: 400,
      body: expect.objectContaining({ code: 'NoFace', message: expect.stringMatching(/No face/) }),
    });
  });

  it('names a person made from a face, tags their later upload, merges another person into them, and deletes them', async () => {
    // Act: a person from dad's first face (CLI), named (CLI); a second person from his other photo (HTTP)
    const created = await cli('people', 'create', faceOf('family1-dad1.jpg'));
    const dad = created.stdout.trim();
    const named = await cli('people', 'name', dad, 'Dad');
    const other = await json(await post('/people', { faceIds: [faceOf('family1-dad2.jpg')] }));

    // Assess
    expect([created.code, named.code, other.status]).toEqual([0, 0, 201]);
    const listed = await cli('people', 'list', '--json');
    // Each with their face count and that face to show (GET /people draws a person in one response)
    const shown = (file: string) => expect.objectContaining({ key: keyOf(file), faceId: faceOf(file) });
    expect(JSON.parse(listed.stdout)).toEqual(
      expect.arrayContaining([
        { userId: dad, name: 'Dad', faceCount: 1, face: shown('family1-dad1.jpg') },
        { userId: other.body.userId as string, faceCount: 1, face: shown('family1-dad2.jpg') },
      ]),
    );

    const text = await cli('people', 'list');
    expect(text.stdout).toContain(`${dad}  Dad  (1 face)`);

    // Act: another photo of him is uploaded
    const later = await store('family1-dad3.jpg');

    // Assess: tagged with the name
    expect(later.people).toEqual([expect.objectContaining({ userId: dad, name: 'Dad' })]);

    // Act: merge the second person into Dad (CLI)
    const merged = await cli('people', 'merge', dad, other.body.userId as string);

    // Assess: one person, Dad, on both photos
    expect(merged.code).toBe(0);
    const people = await json(await fetch(`${api}/people`));
    expect(people.body.people).toEqual([
      { userId: dad, name: 'Dad', faceCount: 2, face: expect.objectContaining({ faceId: expect.any(String) }) },
    ]);
    const images = await json(await fetch(`${api}/people/${dad}/images`));
    expect(keysOf(images.body.images as { key: string }[])).toEqual([keyOf('family1-dad1.jpg'), keyOf('family1-dad2.jpg')].sort());

    // Act: delete Dad
    const deleted = await fetch(`${api}/people/${dad}`, { method: 'DELETE' });

    // Assess: gone with the name; the faces stay with their photos
    expect(deleted.status).toBe(204);
    expect((await json(await fetch(`${api}/people`))).body.people).toEqual([]);
    expect((await fetch(`${api}/people/${dad}/images`)).status).toBe(404);
    const stillFound = await json(await post('/faces/search', { imageId: later.imageId, faceId: later.faces![0]!.faceId }));
    expect(keysOf(stillFound.body.matches as { key: string }[])).toEqual([keyOf('family1-dad1.jpg'), keyOf('family1-dad2.jpg')].sort());
  });

  it('picflow people name of an unknown person exits 1 with the API sentence', async () => {
    // Act
    const result = await cli('people', 'name', 'person-nobody', 'X');

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('There is no person "person-nobody"');
  });
});
