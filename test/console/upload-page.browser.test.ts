// The upload page in headless Chromium on a real local stack (analyses off): images go through the HTTP
// API mounted in the console, a file the API refuses shows the API's reason, a non-image is refused
// before sending, and with the server gone the page says so in a sentence.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { FIXTURES, launchChromium, startStackWithConsole, tempDir, type Running } from './support';

jest.setTimeout(120_000);

describe('Upload page in Chromium', () => {
  const data = tempDir('console-upload');
  let running: Running;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    [running, browser] = await Promise.all([startStackWithConsole(data.path, { taskEnvironment: { ANALYSES: '' } }), launchChromium()]);
    page = await (await browser.newContext({ viewport: { width: 1480, height: 980 } })).newPage();
    page.setDefaultTimeout(30_000);
  });

  afterAll(async () => {
    await browser?.close();
    await running?.close();
    data.remove();
  });

  it('uploads through the API, shows the reason of a refused file, and refuses a non-image up front', async () => {
    const empty = join(data.path, 'empty.png');
    const notes = join(data.path, 'notes.txt');
    writeFileSync(empty, '');
    writeFileSync(notes, 'not an image\n');
    await page.goto(`${running.console.url}/#/upload`);
    const requests: string[] = [];
    page.on('request', (r) => requests.push(`${r.method()} ${new URL(r.url()).pathname}`));

    await page.setInputFiles('[data-testid=file-input]', [join(FIXTURES, 'coffee.png'), empty, notes]);

    await page.locator('[data-upload="coffee.png"] .badge[data-status=SUCCEEDED]').waitFor();
    const emptyError = page.locator('[data-upload="empty.png"] [data-testid=upload-error]');
    await expect(emptyError.textContent()).resolves.toContain('The request has no image');
    const notesError = page.locator('[data-upload="notes.txt"] [data-testid=upload-error]');
    await expect(notesError.textContent()).resolves.toContain('Not sent: Not an image the pipeline reads');
    expect(requests.filter((r) => r === 'POST /api/v1/images')).toHaveLength(2);
    // No broken previews: every shown preview decoded.
    const previews = await page
      .locator('[data-testid=uploads] td.preview img:not([hidden])')
      .evaluateAll((imgs) => imgs.map((img) => (img as unknown as { naturalWidth: number }).naturalWidth));
    expect(previews.length).toBeGreaterThan(0);
    expect(previews.every((w) => w > 0)).toBe(true);
  });

  it('says the server is not answering when it is down', async () => {
    await running.console.close();
    await page.setInputFiles('[data-testid=file-input]', join(FIXTURES, 'rocket.jpg'));
    const error = page.locator('[data-upload="rocket.jpg"] [data-testid=upload-error]');
    await expect(error.textContent()).resolves.toContain('The console server is not answering');
  });
});
