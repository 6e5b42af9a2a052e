// The People page and "Find this face" in headless Chromium on a real local stack (faces only): from a face
// on a result page, the other photos of that person are shown; a person is made of the face and named in
// place; after a reload the name is still there, and a later upload of them is tagged with it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { closeConsoleInChromium, ROOT, startConsoleInChromium, tempDir, uploadAndWait, type Running } from './support';

jest.setTimeout(240_000);

const FACES = join(ROOT, 'test', 'fixtures', 'faces');

interface ImageResponse {
  imageId: string;
  key: string;
  status: string;
  people?: { name?: string }[];
}

describe('People page in Chromium', () => {
  const data = tempDir('console-people');
  let running: Running;
  let browser: Browser;
  let page: Page;

  /** Uploads through the console's API mount and waits for the analysis. */
  const upload = (name: string) => uploadAndWait<ImageResponse>(running.console.url, readFileSync(join(FACES, name)));

  beforeAll(async () => {
    ({ running, browser } = await startConsoleInChromium(data.path, { taskEnvironment: { ANALYSES: 'faces' } }));
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.setDefaultTimeout(60_000);
  });

  afterAll(() => closeConsoleInChromium({ running, browser }, data));

  it('finds a face in other photos, makes a person of it, names them in place, and tags their later upload', async () => {
    // Prepare: two photos of dad, one of mom
    const dad1 = await upload('family1-dad1.jpg');
    const dad2 = await upload('family1-dad2.jpg');
    const mom = await upload('family1-mom1.jpg');

    // Act: "Find this face" on dad's first photo
    await page.goto(`${running.console.url}/#/images/${encodeURIComponent(dad1.imageId)}`);
    await page.locator('[data-testid=find-face]').first().click();
    const search = page.locator('[data-testid=face-search]');
    await search.locator('img').first().waitFor();

    // Assess: his other photo, not mom's
    const shown = await search.locator('img').evaluateAll((imgs) => imgs.map((img) => img.getAttribute('alt')));
    expect(shown).toEqual([dad2.key]);
    expect(shown).not.toContain(mom.key);

    // Act: make a person of the face and name them in place
    await search.getByRole('button', { name: 'Make a person of this face' }).click();
    const person = page.locator('[data-testid=person]');
    await person.waitFor();
    await person.locator('input').fill('Dad');
    await person.getByRole('button', { name: 'Save' }).click();
    await person.getByText('Saved').waitFor();
    await page.goto(`${running.console.url}/#/people`);
    await page.reload();

    // Assess: the name stays; a later photo of him is tagged with it
    await expect(page.locator('[data-testid=person] input').inputValue()).resolves.toBe('Dad');
    const later = await upload('family1-dad3.jpg');
    expect(later.people).toEqual([expect.objectContaining({ name: 'Dad' })]);
  });
});
