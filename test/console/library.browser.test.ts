// The library (home page) and the executions list in headless Chromium on a real local stack (labels only,
// one execution at a time): cards with decoded thumbnails, filters that change the results and live in the
// URL (back works), paging past the first page, placeholders instead of broken images; executions waiting
// for the one slot shown QUEUED with their place in line before RUNNING, durations counted from their start.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Browser, Page } from 'playwright-core';
import type { ExecutionsResponse } from '../../local/console/shared/api-types';
import { statusKey } from '../../tasks/shared/image-indexes';
import { closeConsoleInChromium, FIXTURES, startConsoleInChromium, tempDir, type Running } from './support';

jest.setTimeout(240_000);

/** The DOM as the browser-side checks see it: this file is type-checked with Node's types, not the DOM's. */
interface Dom {
  document: {
    querySelectorAll(selector: string): { length: number };
    querySelector(selector: string): { getAttribute(name: string): string | null } | null;
  };
}
/** In the page: `selector` matches exactly `n` elements. */
function countIs([selector, n]: [string, number]): boolean {
  return (globalThis as unknown as Dom).document.querySelectorAll(selector).length === n;
}
/** In the page: the library holds at least `min` rows. */
function loadedAtLeast(min: number): boolean {
  return Number((globalThis as unknown as Dom).document.querySelector('[data-testid=library]')?.getAttribute('data-count')) >= min;
}
const count = (selector: string, n: number): [typeof countIs, [string, number]] => [countIs, [selector, n]];

/** Images written straight into the table, older than the uploads: enough for several pages. */
const SEEDED = 130;

describe('Library and executions in Chromium', () => {
  const data = tempDir('console-library');
  let running: Running;
  let browser: Browser;
  let page: Page;
  /** Ids of the uploads, in upload order: chelsea (a cat), rocket, coffee. */
  let uploads: string[] = [];

  const upload = async (file: string): Promise<string> => {
    const response = await fetch(`${running.console.url}/api/v1/images`, {
      method: 'POST',
      headers: { 'Content-Type': file.endsWith('.png') ? 'image/png' : 'image/jpeg' },
      body: readFileSync(join(FIXTURES, file)),
    });
    expect(response.status).toBe(202);
    return ((await response.json()) as { imageId: string }).imageId;
  };
  const executions = async (): Promise<ExecutionsResponse> =>
    (await (await fetch(`${running.console.url}/api/executions`)).json()) as ExecutionsResponse;

  beforeAll(async () => {
    ({ running, browser } = await startConsoleInChromium(data.path, { concurrency: 1, taskEnvironment: { ANALYSES: 'labels' } }));
    page = await (await browser.newContext({ viewport: { width: 1480, height: 980 } })).newPage();
    page.setDefaultTimeout(60_000);
  });

  afterAll(() => closeConsoleInChromium({ running, browser }, data));

  it('shows executions waiting for the one slot as QUEUED with their place in line, then RUNNING, timed from their start', async () => {
    // Prepare
    await page.goto(`${running.console.url}/#/executions`);
    await page.locator('[data-testid=executions]').waitFor();

    // Act: three uploads at once, one slot
    const ids = await Promise.all(['chelsea.png', 'rocket.jpg', 'coffee.png'].map(upload));
    uploads = ids;

    // Assess: some row is QUEUED with a place in line before it runs
    const queued = page.locator('[data-testid=executions] tr[data-status=QUEUED]');
    await queued.first().waitFor();
    const name = await queued.first().getAttribute('data-execution');
    expect(await queued.first().locator('[data-testid=queue-position]').textContent()).toMatch(/^#[12] in line$/);
    const row = page.locator(`[data-testid=executions] tr[data-execution="${name}"]`);
    await row.locator('.badge[data-status=RUNNING], .badge[data-status=SUCCEEDED]').first().waitFor();
    await page.waitForFunction(...count('[data-testid=executions] tbody tr[data-status=SUCCEEDED]', ids.length));
    const record = (await executions()).executions.find((e) => e.name === name)!;
    // Counted from its ExecutionStarted, after its wait in line, not from when it was routed
    expect(Date.parse(record.runStartedAt!)).toBeGreaterThan(Date.parse(record.startedAt));
    expect(record.durationMs).toBe(Date.parse(record.stoppedAt!) - Date.parse(record.runStartedAt!));
    const shown = await row.locator('[data-testid=duration]').textContent();
    const whole = Date.parse(record.stoppedAt!) - Date.parse(record.startedAt);
    expect(shown).toBe(
      record.durationMs! < 1000
        ? `${record.durationMs} ms`
        : `${(record.durationMs! / 1000).toFixed(record.durationMs! < 10_000 ? 2 : 1)} s`,
    );
    expect(whole).toBeGreaterThan(record.durationMs!);
  });

  it('shows the analysed images as cards with decoded thumbnails, filters by label and status in the URL, and back works', async () => {
    // Act
    await page.goto(`${running.console.url}/#/`);
    const cards = page.locator('[data-testid=library] .image-card');
    await page.waitForFunction(...count('[data-testid=library] .image-card img', 3));

    // Assess: every thumbnail decoded, the cat has its label
    const widths = await cards
      .locator('img')
      .evaluateAll((imgs) =>
        Promise.all(
          imgs.map((img) =>
            (img as unknown as { decode(): Promise<void>; naturalWidth: number })
              .decode()
              .then(() => (img as unknown as { naturalWidth: number }).naturalWidth),
          ),
        ),
      );
    expect(widths.every((w) => w > 0)).toBe(true);
    const cat = page.locator(`.image-card[data-image="${uploads[0]}"]`);
    expect(await cat.locator('[data-testid=labels]').textContent()).toContain('Cat');

    // Act: filter by label (Enter), then by a status nothing has
    await page.fill('[data-testid=filter-label]', 'cat');
    await page.press('[data-testid=filter-label]', 'Enter');
    await page.waitForFunction(...count('[data-testid=library] .image-card', 1));
    const labelUrl = page.url();
    await page.selectOption('[data-testid=filter-status]', 'FAILED');
    await page.locator('text=No images match these filters.').waitFor();

    // Assess: the URL holds the filters; back restores the label-only results
    expect(new URL(labelUrl).hash).toBe('#/?label=cat');
    expect(new URL(page.url()).hash).toBe('#/?label=cat&status=FAILED');
    await page.goBack();
    await page.waitForFunction(...count('[data-testid=library] .image-card', 1));
    expect(await cards.first().getAttribute('data-image')).toBe(uploads[0]);
  });

  it('pages past the first page as the grid scrolls, rendering only the cards in view, placeholders for no thumbnail', async () => {
    // Prepare: older images straight in the table (no thumbnails)
    const { dynamo } = running.stack.tasks.clients;
    for (let i = 0; i < SEEDED; i++) {
      const imageId = `${running.stack.bucket}/uploads/seed-${String(i).padStart(3, '0')}.png`;
      const uploadedAt = new Date(Date.UTC(2020, 0, 1, 0, i)).toISOString();
      await dynamo.send(
        new PutCommand({
          TableName: running.stack.tableName,
          Item: {
            imageId,
            key: imageId.slice(running.stack.bucket.length + 1),
            status: 'SUCCEEDED',
            statusKey: statusKey(imageId, 'SUCCEEDED'),
            uploadedAt,
            card: { l: ['Seed'], v: 'safe' },
          },
        }),
      );
    }

    // Act
    await page.goto(`${running.console.url}/#/`);
    await page.reload();
    await page.waitForFunction(loadedAtLeast, 60);
    const firstPage = Number(await page.getAttribute('[data-testid=library]', 'data-count'));
    const renderedAtTop = await page.locator('[data-testid=library] .image-card').count();
    for (let i = 0; i < 20; i++) {
      await page.mouse.wheel(0, 4000);
      if (Number(await page.getAttribute('[data-testid=library]', 'data-count')) === SEEDED + 3) break;
      await page.waitForTimeout(150);
    }
    await page.waitForFunction(loadedAtLeast, SEEDED + 3);
    await page.keyboard.press('End');
    await page.locator('.image-card[data-image$="seed-000.png"]').waitFor();

    // Assess
    expect(firstPage).toBeLessThan(SEEDED + 3);
    expect(renderedAtTop).toBeLessThan(firstPage);
    expect(await page.locator('[data-testid=library] .image-card').count()).toBeLessThan(SEEDED);
    expect(await page.locator('.image-card[data-image$="seed-000.png"] [data-testid=thumb-placeholder]').count()).toBe(1);
    expect(
      await page
        .locator('[data-testid=library] img')
        .evaluateAll(
          (imgs) =>
            imgs.filter(
              (i) =>
                (i as unknown as { complete: boolean; naturalWidth: number }).complete &&
                (i as unknown as { naturalWidth: number }).naturalWidth === 0,
            ).length,
        ),
    ).toBe(0);
  });

  it('opens the result page from a card; the executions table is one click away', async () => {
    // Act
    await page.goto(`${running.console.url}/#/?label=cat`);
    await page.locator(`.image-card[data-image="${uploads[0]}"]`).click();

    // Assess
    expect(decodeURIComponent(new URL(page.url()).hash)).toBe(`#/images/${uploads[0]}`);
    await page.click('[data-testid=nav-executions]');
    await page.locator('[data-testid=executions] tbody tr').first().waitFor();
  });
});
