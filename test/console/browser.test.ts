// The console in real headless Chromium (Debian's package, driven by playwright-core) against a real
// local stack: upload through the page, watch the graph go green with its four branches, read a
// state's output, see face boxes on the result; then a failing image (injected DetectFaces fault) shown
// in red, replayed from the Failures page, and succeeding. Writes screenshots to test-artifacts/console
// (the README's pictures come from phone-keyboard.browser.test.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { artifactPath, closeConsoleInChromium, FIXTURES, startConsoleInChromium, tempDir, type Running } from './support';

jest.setTimeout(120_000);

describe('Console in Chromium', () => {
  const data = tempDir('console-browser');
  let running: Running;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    ({ running, browser } = await startConsoleInChromium(data.path));
    context = await browser.newContext({ viewport: { width: 1480, height: 980 }, deviceScaleFactor: 1 });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.setDefaultTimeout(30_000);
  });

  afterAll(async () => {
    await context?.close();
    await closeConsoleInChromium({ running, browser }, data);
  });

  afterEach(() => {
    expect(pageErrors).toEqual([]);
  });

  it('uploads an image by drag and drop and shows its graph succeed, live, with the four branches side by side', async () => {
    await page.goto(`${running.console.url}/#/upload`);
    await recordStatuses(page);
    await drop(page, '[data-testid=dropzone]', [{ name: 'astronaut.png', file: join(FIXTURES, 'astronaut.png'), type: 'image/png' }]);

    const row = page.locator('[data-upload="astronaut.png"]');
    await row.locator('[data-testid=open-graph]').click();
    await page.locator('.execution-page .page-head .badge[data-status=SUCCEEDED]').waitFor();

    // Live: the page saw states running before they succeeded (it was open while the execution ran).
    const seen = (await page.evaluate('window.seenStatuses')) as string[];
    expect(seen).toContain('running');

    // The four branches of the Parallel, side by side (one row, left to right in definition order).
    const branches = await page.locator('svg.graph rect.branch').evaluateAll((rects) =>
      rects.map((r) => ({
        index: Number(r.getAttribute('data-branch')),
        x: Number(r.getAttribute('x')),
        y: Number(r.getAttribute('y')),
      })),
    );
    expect(branches).toHaveLength(4);
    expect(new Set(branches.map((b) => b.y)).size).toBe(1);
    expect([...branches].sort((a, b) => a.x - b.x).map((b) => b.index)).toEqual([0, 1, 2, 3]);
    for (const state of ['CreateThumbnails', 'DetectFaces', 'DetectLabelsAndText', 'DetectModerationLabels', 'StoreResult', 'Succeeded']) {
      expect(await page.getAttribute(`svg.graph [data-state="${state}"]`, 'data-status')).toBe('succeeded');
    }
    expect(await page.getAttribute('svg.graph [data-state="RecordFailure"]', 'data-status')).toBe('not-run');
    expect(await page.locator('[data-testid=history] tbody tr').count()).toBeGreaterThan(20);

    // A state's output, input and timing.
    await page.click('svg.graph [data-state="DetectFaces"]');
    const panel = page.locator('[data-testid=state-panel][data-state="DetectFaces"]');
    await expect(panel.locator('[data-testid=state-output]').textContent()).resolves.toContain('"dominantEmotion": "HAPPY"');
    await expect(panel.locator('[data-testid=state-input]').textContent()).resolves.toContain('"validation"');
    await expect(panel.locator('[data-testid=state-duration]').textContent()).resolves.toMatch(/\d+(\.\d+)? (ms|s)/);
    // Wide enough for the graph at its natural size.
    await page.setViewportSize({ width: 1720, height: 1000 });
    await page.mouse.move(0, 0);
    await page.screenshot({ path: artifactPath('graph-wide.png'), fullPage: true });
    await page.setViewportSize({ width: 1480, height: 980 });
    await page.screenshot({ path: artifactPath('01-graph-succeeded.png'), fullPage: true });

    // The result: thumbnail with the face box and its emotion, labels, verdict, raw item.
    await page.click('[data-testid=result-link]');
    const face = page.locator('[data-testid=box-face]');
    await face.first().waitFor();
    expect(await face.count()).toBe(1);
    await expect(face.first().textContent()).resolves.toContain('HAPPY');
    await page.waitForFunction(() => {
      const img = (globalThis as unknown as BrowserGlobals).document.querySelector('[data-testid=viewer] img');
      return img?.complete && img.naturalWidth > 0;
    });
    await expect(page.locator('[data-testid=moderation-verdict]').textContent()).resolves.toBe('safe');
    await expect(page.locator('[data-testid=raw-item] pre').textContent()).resolves.toContain('"imageId": "picflow-local/uploads/');
    await page.mouse.move(0, 0);
    await page.screenshot({ path: artifactPath('result.png') });
    await page.screenshot({ path: artifactPath('02-result.png'), fullPage: true });
  });

  it('shows a failing image in red, replays it from the Failures page, and sees it succeed', async () => {
    // IndexFaces: the faces branch's call with face indexing on (the default).
    running.stack.faults.configure({ IndexFaces: { fail: 'AccessDeniedException' } });
    await page.goto(`${running.console.url}/#/upload`);
    await page.setInputFiles('[data-testid=file-input]', join(FIXTURES, 'chelsea.png'));
    await page.locator('[data-upload="chelsea.png"] [data-testid=open-graph]').click();
    await page.locator('.execution-page .page-head .badge[data-status=FAILED]').waitFor();

    const failed = page.locator('svg.graph [data-state="Failed"]');
    expect(await failed.getAttribute('data-status')).toBe('failed');
    expect(
      await failed
        .locator('rect')
        .first()
        .evaluate((rect) => (globalThis as unknown as Styles).getComputedStyle(rect).fill),
    ).toBe('rgb(253, 217, 215)');
    expect(
      await failed
        .locator('rect')
        .first()
        .evaluate((rect) => (globalThis as unknown as Styles).getComputedStyle(rect).stroke),
    ).toBe('rgb(208, 43, 32)');
    expect(await page.getAttribute('svg.graph [data-state="DetectFaces"]', 'data-status')).toBe('caught');
    expect(await page.getAttribute('svg.graph [data-state="DetectFacesFailed"]', 'data-status')).toBe('succeeded');
    // A failed execution opens on the state that failed (no click needed: a click would unselect it).
    await page.locator('[data-testid=state-panel][data-state="DetectFaces"]').waitFor();
    await expect(page.locator('[data-testid=state-error]').textContent()).resolves.toContain('Rekognition.AccessDeniedException');
    await page.mouse.move(0, 0);
    await page.screenshot({ path: artifactPath('03-graph-failed.png'), fullPage: true });

    // The fault is gone (as after a fix): replay the message from the Failures page.
    running.stack.faults.configure({});
    await page.click('[data-testid=nav-failures]');
    // The API chose the key (uploads/<uuid>.png): the only dead letter is this upload's.
    const message = page.locator('[data-testid=dead-letters] tr[data-key^="uploads/"][data-key$=".png"]');
    await message.waitFor();
    await expect(message.textContent()).resolves.toContain('AccessDeniedException');
    await page.screenshot({ path: artifactPath('04-failures.png'), fullPage: true });
    await message.locator('[data-testid=replay]').click();
    const outcome = page.locator('[data-testid=replay-outcomes]');
    await outcome.locator('.badge[data-status=SUCCEEDED]').waitFor();
    await message.waitFor({ state: 'detached' });
    await page.screenshot({ path: artifactPath('05-replayed.png'), fullPage: true });

    await outcome.locator('a').first().click();
    await page.locator('.execution-page .page-head .badge[data-status=SUCCEEDED]').waitFor();
    expect(await page.getAttribute('svg.graph [data-state="DetectFaces"]', 'data-status')).toBe('succeeded');
    expect(await page.getAttribute('svg.graph [data-state="Failed"]', 'data-status')).toBe('not-run');
  });

  it('lists executions newest first and filters them by status', async () => {
    await page.goto(`${running.console.url}/#/executions`);
    const rows = page.locator('[data-testid=executions] tbody tr');
    await page.waitForFunction(rowCount, 3);
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-status')))).toEqual(['SUCCEEDED', 'FAILED', 'SUCCEEDED']);
    await page.click('[data-filter=FAILED]');
    await page.waitForFunction(rowCount, 1);
    expect(await rows.first().getAttribute('data-status')).toBe('FAILED');
    await page.click('[data-filter=ALL]');
    await page.waitForFunction(rowCount, 3);
    await page.screenshot({ path: artifactPath('06-executions.png'), fullPage: true });
  });
});

/** Drops files on an element the way a user's drag and drop does (a DataTransfer with File objects). */
async function drop(page: Page, selector: string, files: { name: string; file: string; type: string }[]): Promise<void> {
  const payload = files.map((f) => ({ name: f.name, type: f.type, base64: readFileSync(f.file).toString('base64') }));
  // Browser code as a string: this file is type-checked with Node's types, not the DOM's.
  const dataTransfer = await page.evaluateHandle(`(() => {
    const transfer = new DataTransfer();
    for (const item of ${JSON.stringify(payload)}) {
      const bytes = Uint8Array.from(atob(item.base64), (c) => c.charCodeAt(0));
      transfer.items.add(new File([bytes], item.name, { type: item.type }));
    }
    return transfer;
  })()`);
  await page.dispatchEvent(selector, 'dragover', { dataTransfer });
  await page.dispatchEvent(selector, 'drop', { dataTransfer });
}

/** Records every status a graph state shows, from now on (the app is one page: it survives navigation). */
async function recordStatuses(page: Page): Promise<void> {
  // Browser code as a string: this file is type-checked with Node's types, not the DOM's.
  await page.evaluate(`(() => {
    const seen = new Set();
    window.seenStatuses = [];
    new MutationObserver(() => {
      for (const el of document.querySelectorAll('svg.graph [data-state]')) seen.add(el.getAttribute('data-status'));
      window.seenStatuses = [...seen];
    }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-status'] });
  })()`);
}

/** Runs in the page (a function, not a string: the console's CSP forbids eval). */
function rowCount(n: number): boolean {
  return (globalThis as unknown as BrowserGlobals).document.querySelectorAll('[data-testid=executions] tbody tr').length === n;
}

/** The few browser globals the page functions use, as this Node-typed file may name them. */
interface BrowserGlobals {
  document: {
    querySelectorAll(selector: string): { length: number };
    querySelector(selector: string): { complete: boolean; naturalWidth: number } | null;
  };
}

interface Styles {
  getComputedStyle(element: unknown): { fill: string; stroke: string };
}
