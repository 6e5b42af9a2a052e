// "Find this face" from the face boxes over a result page's photo, and the People page in one request, in headless
// Chromium on a real local stack (faces only): Tab reaches a face box (named, ringed, its table row highlighted),
// Enter or Space opens the face search with the other photo of that person; axe-core stays clean; a face that was
// not indexed keeps a plain box; the People page draws each person (a face and a count) from one GET /people.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Browser, Page } from 'playwright-core';
import {
  closeConsoleInChromium,
  ROOT,
  seriousAxeViolations,
  startConsoleInChromium,
  tempDir,
  uploadAndWait,
  type Running,
} from './support';

jest.setTimeout(240_000);

const FACES = join(ROOT, 'test', 'fixtures', 'faces');

interface ImageResponse {
  imageId: string;
  key: string;
  status: string;
  faces?: { faceId?: string }[];
}

describe('Face boxes and the People page in Chromium', () => {
  const data = tempDir('console-face-box');
  let running: Running;
  let browser: Browser;
  let page: Page;
  let dad1: ImageResponse;
  let dad2: ImageResponse;

  /** Uploads through the console's API mount and waits for the analysis. */
  const upload = (name: string) => uploadAndWait<ImageResponse>(running.console.url, readFileSync(join(FACES, name)));

  const openResult = async (imageId: string): Promise<void> => {
    await page.goto(`${running.console.url}/#/images/${encodeURIComponent(imageId)}`);
    await page.locator('[data-testid=box-face]').first().waitFor();
  };

  beforeAll(async () => {
    ({ running, browser } = await startConsoleInChromium(data.path, { taskEnvironment: { ANALYSES: 'faces' } }));
    // bypassCSP: the console's Content-Security-Policy refuses the inline <script> that injects axe-core.
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true })).newPage();
    page.setDefaultTimeout(60_000);
    dad1 = await upload('family1-dad1.jpg');
    dad2 = await upload('family1-dad2.jpg');
    await upload('family1-mom1.jpg');
  });

  afterAll(() => closeConsoleInChromium({ running, browser }, data));

  it('Tab reaches a face box named "find this face", with a focus ring, highlighting its row; Enter opens the search', async () => {
    // Prepare
    await openResult(dad1.imageId);

    // Act: Tab until the face box has focus
    const label = await tabUntil(page, 'a[data-testid=box-face]');

    // Assess: named, ringed, its table row highlighted while it has focus
    expect(label).toMatch(/^Face 1\b.*: find this face$/);
    const outline = (await page.evaluate('getComputedStyle(document.activeElement).outlineStyle')) as string;
    expect(outline).not.toBe('none');
    expect(await page.getAttribute('[data-testid=faces] tbody tr[data-hover=face-0]', 'class')).toContain('highlighted');

    // Act: Enter
    await page.keyboard.press('Enter');
    const search = page.locator('[data-testid=face-search]');
    await search.locator('img').first().waitFor();

    // Assess: the face search for that face, showing his other photo
    expect(await page.evaluate('location.hash')).toBe(
      `#/people?${new URLSearchParams({ face: dad1.faces![0].faceId!, image: dad1.imageId })}`,
    );
    const shown = await search.locator('img').evaluateAll((imgs) => imgs.map((img) => img.getAttribute('alt')));
    expect(shown).toEqual([dad2.key]);
  });

  it('Space on a focused face box opens the search too, and a click on the box does', async () => {
    // Prepare
    await openResult(dad2.imageId);
    const expected = `#/people?${new URLSearchParams({ face: dad2.faces![0].faceId!, image: dad2.imageId })}`;

    // Act: Space on the focused box
    await tabUntil(page, 'a[data-testid=box-face]');
    await page.keyboard.press(' ');
    await page.locator('[data-testid=face-search]').waitFor();

    // Assess
    expect(await page.evaluate('location.hash')).toBe(expected);

    // Act: back, and click the box
    await openResult(dad2.imageId);
    await page.locator('[data-testid=box-face]').first().click();
    await page.locator('[data-testid=face-search]').waitFor();

    // Assess
    expect(await page.evaluate('location.hash')).toBe(expected);
  });

  it('axe-core finds no serious or critical violation on a result page with clickable face boxes', async () => {
    // Prepare
    await openResult(dad1.imageId);

    // Act
    const serious = await seriousAxeViolations(page);

    // Assess
    expect(serious).toEqual([]);
  });

  it('a face without a faceId (face indexing off when it was analysed) keeps a plain box, not a link', async () => {
    // Prepare: a copy of dad's item whose faces were not indexed (the same photo, so the page shows it)
    const { dynamo } = running.stack.tasks.clients;
    const { Item } = await dynamo.send(new GetCommand({ TableName: running.stack.tableName, Key: { imageId: dad1.imageId } }));
    const imageId = `${running.stack.bucket}/uploads/not-indexed.jpg`;
    const faces = (Item!.faces as Record<string, unknown>[]).map(({ faceId: _faceId, ...face }) => face);
    await dynamo.send(new PutCommand({ TableName: running.stack.tableName, Item: { ...Item, imageId, faces } }));

    // Act
    await openResult(imageId);

    // Assess: the box is there, but nothing on it is focusable or a link
    const box = page.locator('[data-testid=box-face]').first();
    expect(await box.evaluate((el) => el.tagName)).toBe('DIV');
    expect(await box.getAttribute('tabindex')).toBeNull();
    expect(await page.locator('a[data-testid=box-face]').count()).toBe(0);
  });

  it('the People page draws each person, a face of theirs and how many, from one GET /people', async () => {
    // Prepare: a person of dad's two faces
    const created = await fetch(`${running.console.url}/api/v1/people`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ faceIds: [dad1.faces![0].faceId, dad2.faces![0].faceId], name: 'Dad' }),
    });
    expect(created.status).toBe(201);
    const { userId } = (await created.json()) as { userId: string };
    const requests: string[] = [];
    page.on('request', (request) => {
      const path = new URL(request.url()).pathname;
      if (path.startsWith('/api/v1/people')) requests.push(`${request.method()} ${path}`);
    });

    // Act
    await page.goto(`${running.console.url}/#/people`);
    const person = page.locator('[data-testid=person]');
    await person.locator('input').waitFor();
    await page.waitForFunction('[...document.images].every((img) => img.complete)');

    // Assess: one request for the list, none per person; the card shows his face and his two faces' count
    expect(requests).toEqual(['GET /api/v1/people']);
    expect(await person.getAttribute('data-face-count')).toBe('2');
    expect([`Dad, in ${dad1.key}`, `Dad, in ${dad2.key}`]).toContain(await person.locator('.person-face img').getAttribute('alt'));
    expect(await person.locator('input').inputValue()).toBe('Dad');

    // Act: his photos on request
    await person.getByRole('button', { name: 'Show photos (2 faces)' }).click();
    await person.locator('.people-photos img').nth(1).waitFor();

    // Assess
    const photos = await person.locator('.people-photos img').evaluateAll((imgs) => imgs.map((img) => img.getAttribute('alt')));
    expect(photos.sort()).toEqual([dad1.key, dad2.key].sort());
    expect(requests).toEqual(['GET /api/v1/people', `GET /api/v1/people/${encodeURIComponent(userId)}/images`]);
  });
});

/** Presses Tab until the focused element matches `selector` (at most 200 times); returns its accessible name (aria-label). */
async function tabUntil(page: Page, selector: string): Promise<string> {
  // Run in the page (this file is type-checked without the DOM's types, so as source text).
  const probe = `(() => {
    const el = document.activeElement;
    return el && el.matches(${JSON.stringify(selector)}) ? el.getAttribute('aria-label') ?? '' : null;
  })()`;
  for (let i = 0; i < 200; i++) {
    await page.keyboard.press('Tab');
    const hit = (await page.evaluate(probe)) as string | null;
    if (hit !== null) return hit;
  }
  throw new Error(`Tab never reached ${selector}`);
}
