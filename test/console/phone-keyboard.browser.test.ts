// Every console page in headless Chromium at desktop size and at 390 px (a phone), on a real local stack with one
// analysed image and one failure: axe-core finds no serious or critical violation, no page is wider than a phone,
// list rows become cards that keep their status, times and actions in view, the navigation folds behind a menu
// button, the execution page lists its states instead of a tiny graph; by keyboard alone, Tab reaches graph nodes
// and history rows, Enter selects them, and "Choose images" opens the file chooser. With PICFLOW_UPDATE_SCREENSHOTS=1
// it writes the README's screenshots (library, execution, result, phone).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import type { ExecutionsResponse } from '../../local/console/shared/api-types';
import {
  closeConsoleInChromium,
  FIXTURES,
  screenshotPath,
  seriousAxeViolations,
  startConsoleInChromium,
  tempDir,
  type Running,
} from './support';

jest.setTimeout(240_000);

const DESKTOP = { width: 1480, height: 980 };
const PHONE = { width: 390, height: 844 };
describe('Console on a phone, by keyboard, and under axe-core', () => {
  const data = tempDir('console-a11y');
  let running: Running;
  let browser: Browser;
  let desktop: BrowserContext;
  let phone: BrowserContext;
  /** Each page's hash and an element that shows it has loaded its data. */
  let pages: { name: string; hash: string; ready: string }[] = [];
  let executionName = '';

  beforeAll(async () => {
    ({ running, browser } = await startConsoleInChromium(data.path));
    // bypassCSP: the console's Content-Security-Policy refuses the inline <script> that injects axe-core.
    desktop = await browser.newContext({ viewport: DESKTOP, deviceScaleFactor: 1, bypassCSP: true });
    phone = await browser.newContext({ viewport: PHONE, deviceScaleFactor: 1, isMobile: true, hasTouch: true, bypassCSP: true });
    // Four images through the API (they succeed; the astronaut is the one the pages show) and one broken file
    // straight into S3 (it fails: a dead letter).
    const [imageId] = await Promise.all(['astronaut.png', 'chelsea.png', 'coffee.png', 'rocket.jpg'].map((file) => upload(file)));
    await running.stack.clients.s3.send(
      new PutObjectCommand({ Bucket: running.stack.bucket, Key: 'uploads/broken.jpg', Body: 'not a jpeg', ContentType: 'image/jpeg' }),
    );
    const ended = await waitFor(async () => {
      const { executions } = (await (await fetch(`${running.console.url}/api/executions`)).json()) as ExecutionsResponse;
      const done = executions.filter((e) => e.status !== 'RUNNING' && e.status !== 'QUEUED');
      return done.length === 5 ? done : undefined;
    });
    executionName = ended.find((e) => e.imageId === imageId)!.name;
    pages = [
      { name: 'library', hash: '#/', ready: '[data-testid=library][data-count="5"] .image-card img' },
      { name: 'upload', hash: '#/upload', ready: '[data-testid=choose-images]' },
      { name: 'executions', hash: '#/executions', ready: '[data-testid=executions] tbody tr[data-status=FAILED]' },
      { name: 'execution', hash: `#/executions/${executionName}`, ready: '[data-testid=history] tbody tr' },
      { name: 'result', hash: `#/images/${encodeURIComponent(imageId)}`, ready: '.viewer img' },
      { name: 'failures', hash: '#/failures', ready: '[data-testid=dead-letters] tbody tr' },
    ];
  });

  afterAll(() => closeConsoleInChromium({ running, browser }, data));

  const upload = async (file: string): Promise<string> => {
    const response = await fetch(`${running.console.url}/api/v1/images`, {
      method: 'POST',
      headers: { 'Content-Type': file.endsWith('.png') ? 'image/png' : 'image/jpeg' },
      body: readFileSync(join(FIXTURES, file)),
    });
    return ((await response.json()) as { imageId: string }).imageId;
  };

  const open = async (context: BrowserContext, hash: string, ready: string): Promise<Page> => {
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    await page.goto(`${running.console.url}/${hash}`);
    await page.locator(ready).first().waitFor();
    return page;
  };

  it.each([
    ['desktop', () => desktop],
    ['390 px', () => phone],
  ])('axe-core finds no serious or critical violation on any page at %s', async (_size, context) => {
    const found: Record<string, string[]> = {};
    for (const { name, hash, ready } of pages) {
      // Act
      const page = await open(context(), hash, ready);
      const serious = await seriousAxeViolations(page);
      await page.close();
      // Assess (collected, so one run names every page's violations)
      if (serious.length > 0) found[name] = serious;
    }
    expect(found).toEqual({});
  });

  it('at 390 px no page is wider than the screen', async () => {
    const widths: Record<string, number> = {};
    for (const { name, hash, ready } of pages) {
      const page = await open(phone, hash, ready);
      widths[name] = (await page.evaluate('document.scrollingElement.scrollWidth')) as number;
      await page.close();
    }
    expect(Object.entries(widths).filter(([, width]) => width > PHONE.width)).toEqual([]);
  });

  it('at 390 px the navigation folds behind a menu button, rows are cards with status, times and Replay in view', async () => {
    // Prepare
    const page = await open(phone, '#/executions', pages[2].ready);
    const menu = page.locator('[data-testid=menu-button]');
    const nav = page.locator('[data-testid=nav-failures]');

    // Act + Assess: folded, then opened, then closed by following a link
    expect(await menu.getAttribute('aria-expanded')).toBe('false');
    expect(await nav.isVisible()).toBe(false);
    await menu.click();
    expect(await menu.getAttribute('aria-expanded')).toBe('true');
    expect(await page.getAttribute('[data-testid=nav-executions]', 'aria-current')).toBe('page');
    await nav.click();
    await page.locator('[data-testid=dead-letters] tbody tr').first().waitFor();
    expect(await menu.getAttribute('aria-expanded')).toBe('false');
    // The broken file's failure is permanent: its recovery says to upload a fixed file instead of offering Replay.
    const recovery = page.locator('[data-testid=dead-letters] [data-testid=recovery]').first();
    expect(await inView(recovery)).toBe(true);

    await page.goto(`${running.console.url}/#/executions`);
    const row = page.locator('[data-testid=executions] tbody tr').first();
    await row.waitFor();
    for (const label of ['Status', 'Started', 'Duration']) expect(await inView(row.locator(`td[data-label=${label}]`))).toBe(true);
    await page.close();
  });

  it('at 390 px the execution page lists its states instead of drawing a tiny graph; a state opens from the list', async () => {
    const page = await open(phone, pages[3].hash, pages[3].ready);
    expect(await page.locator('svg.graph').isVisible()).toBe(false);
    const item = page.locator('[data-testid=state-list] button[data-state=DetectFaces]');
    expect(await item.getAttribute('data-status')).toBe('succeeded');
    expect(await inView(item)).toBe(true);
    await item.click();
    await page.locator('[data-testid=state-panel][data-state=DetectFaces]').waitFor();
    expect(await item.getAttribute('aria-pressed')).toBe('true');
    await page.close();
  });

  it('by keyboard alone: Tab reaches graph nodes and history rows, Enter selects a state, Choose images opens the chooser', async () => {
    // Prepare
    const page = await open(desktop, pages[3].hash, pages[3].ready);

    // Act: Tab until a graph node has focus, then Enter
    const node = await tabUntil(page, 'svg.graph [data-state]');
    await page.keyboard.press('Enter');

    // Assess
    await page.locator(`[data-testid=state-panel][data-state="${node}"]`).waitFor();
    expect(await page.getAttribute(`svg.graph [data-state="${node}"]`, 'aria-pressed')).toBe('true');

    // Act: Tab on to the state name of a history row of another state, then Space
    const rowState = await tabUntil(page, '[data-testid=history] tbody tr:not(.selected) button[data-state]');
    await page.keyboard.press(' ');
    await page.locator(`[data-testid=state-panel][data-state="${rowState}"]`).waitFor();

    // Act: on the upload page, Tab to Choose images and press Enter
    // (waiting for the chooser first: Playwright intercepts file choosers only once something waits for one)
    const chooserOpened = page.waitForEvent('filechooser');
    await page.goto(`${running.console.url}/#/upload`);
    await tabUntil(page, '[data-testid=choose-images]');
    await page.keyboard.press('Enter');
    const chooser = await chooserOpened;
    expect(chooser.isMultiple()).toBe(true);
    await page.close();
  });

  it('writes the README screenshots (library, execution, result, phone)', async () => {
    for (const [file, context, hash, ready] of [
      ['library.png', desktop, pages[0].hash, pages[0].ready],
      ['execution.png', desktop, `${pages[3].hash}?state=DetectFaces`, '[data-testid=state-panel]'],
      ['result.png', desktop, pages[4].hash, pages[4].ready],
      ['phone.png', phone, `${pages[3].hash}?state=DetectFaces`, '[data-testid=state-panel]'],
    ] as const) {
      const page = await open(context, hash, ready);
      await page.mouse.move(0, 0);
      await page.waitForFunction('[...document.images].every((img) => img.complete)');
      // The library's one row of cards, not the empty page below it; the phone as its screen shows it.
      const png = await page.screenshot(
        // The execution page's events and the result page's tables run long: the first screen of each.
        file === 'library.png' ? { clip: { x: 0, y: 0, width: DESKTOP.width, height: 420 } } : {},
      );
      // A 128-colour palette keeps each picture small (README images under 200 KB).
      const small = await sharp(png)
        .resize({ width: 1100, withoutEnlargement: true })
        .png({ palette: true, colours: 128, effort: 10, compressionLevel: 9 })
        .toBuffer();
      writeFileSync(screenshotPath(file), small);
      expect(small.length).toBeLessThan(200_000);
      await page.close();
    }
  });
});

/** Whether an element is shown and lies inside the viewport's width (a phone user reaches it without scrolling sideways). */
async function inView(locator: ReturnType<Page['locator']>): Promise<boolean> {
  const box = await locator.boundingBox();
  return box !== null && box.width > 0 && box.x >= 0 && box.x + box.width <= PHONE.width;
}

/**
 * Presses Tab until the focused element matches `selector` (at most 200 times); returns its data-state, or
 * the text of its descendant `textOf`.
 */
async function tabUntil(page: Page, selector: string, textOf?: string): Promise<string> {
  // Run in the page (this file is type-checked without the DOM's types, so as source text).
  const probe = `(() => {
    const el = document.activeElement;
    if (!el || !el.matches(${JSON.stringify(selector)})) return null;
    ${textOf ? `return el.querySelector(${JSON.stringify(textOf)})?.textContent ?? '';` : "return el.getAttribute('data-state') ?? '';"}
  })()`;
  for (let i = 0; i < 200; i++) {
    await page.keyboard.press('Tab');
    const hit = (await page.evaluate(probe)) as string | null;
    if (hit !== null) return hit;
  }
  throw new Error(`Tab never reached ${selector}`);
}

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting for the executions to end');
    await new Promise((r) => setTimeout(r, 250));
  }
}
