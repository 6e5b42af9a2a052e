// The execution view and recovery in headless Chromium on a real local stack (faces and labels): the graph's
// zoom, fit and focus on the failed state, labelled catch edges, node text inside its box; the table view;
// filterable, expandable events; Input / Output / Error / Definition tabs with copy; the history's export;
// the result page's branches table, hover highlight and larger image; and honest recovery: a corrupt JPEG
// (permanent) says to upload a fixed file, a failure injected in IndexFaces (transient) offers Replay on the
// failures list, the execution page and the result page.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { DeadLettersResponse, ExecutionDetail, ExecutionsResponse, GraphResponse } from '../../local/console/shared/api-types';
import { artifactPath, closeConsoleInChromium, FIXTURES, startConsoleInChromium, tempDir, type Running } from './support';

jest.setTimeout(240_000);

interface ViewBox {
  x: number;
  y: number;
  w: number;
  h: number;
}

describe('Execution view and recovery in Chromium', () => {
  const data = tempDir('console-execution-view');
  let running: Running;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];
  /** The three uploads: one that succeeds, one with a transient failure (PARTIAL), one corrupt JPEG. */
  const image = { ok: '', transient: '', corrupt: '' };

  const getJson = async <T>(path: string): Promise<T> => (await (await fetch(`${running.console.url}${path}`)).json()) as T;
  const upload = async (file: string): Promise<string> => {
    const response = await fetch(`${running.console.url}/api/v1/images`, {
      method: 'POST',
      headers: { 'Content-Type': file.endsWith('.png') ? 'image/png' : 'image/jpeg' },
      body: readFileSync(join(FIXTURES, file)),
    });
    expect(response.status).toBe(202);
    return ((await response.json()) as { imageId: string }).imageId;
  };
  /** The image's execution, once it has ended. */
  const ended = async (imageId: string): Promise<ExecutionsResponse['executions'][number]> => {
    for (;;) {
      const [last] = (await getJson<ExecutionsResponse>(`/api/executions?imageId=${encodeURIComponent(imageId)}`)).executions;
      if (last && last.status !== 'RUNNING' && last.status !== 'QUEUED') return last;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  const executionOf = async (imageId: string): Promise<string> => (await ended(imageId)).name;
  const viewBox = async (): Promise<ViewBox> => {
    const [x, y, w, h] = ((await page.getAttribute('svg.graph', 'viewBox')) ?? '').split(' ').map(Number);
    return { x, y, w, h };
  };

  beforeAll(async () => {
    ({ running, browser } = await startConsoleInChromium(data.path, { taskEnvironment: { ANALYSES: 'faces,labels' } }));
    context = await browser.newContext({ viewport: { width: 1480, height: 980 }, deviceScaleFactor: 1, acceptDownloads: true });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: running.console.url });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.setDefaultTimeout(60_000);

    image.ok = await upload('astronaut.png');
    await ended(image.ok);
    // IndexFaces: the faces branch's call; AccessDenied is not about the file, so a replay may fix it.
    running.stack.faults.configure({ IndexFaces: { fail: 'AccessDeniedException' } });
    image.transient = await upload('chelsea.png');
    await ended(image.transient);
    running.stack.faults.configure({});
    image.corrupt = await upload('truncated.jpg');
    await ended(image.corrupt);
  });

  afterAll(async () => {
    await context?.close();
    await closeConsoleInChromium({ running, browser }, data);
  });

  afterEach(() => {
    expect(pageErrors).toEqual([]);
  });

  it('zooms the graph with its buttons and the wheel, and fit shows every node, centred in its card', async () => {
    // Prepare
    const { layout } = await getJson<GraphResponse>('/api/graph');
    await page.goto(`${running.console.url}/#/executions/${await executionOf(image.ok)}`);
    await page.locator('svg.graph [data-state="StoreResult"][data-status=succeeded]').waitFor();
    const whole = await viewBox();

    // Act
    await page.click('[data-testid=zoom-in]');
    await page.click('[data-testid=zoom-in]');
    const zoomedIn = await viewBox();
    await page.click('[data-testid=zoom-out]');
    const zoomedOut = await viewBox();
    await page.hover('svg.graph');
    await page.mouse.wheel(0, -400);
    const wheeled = await viewBox();
    await page.click('[data-testid=zoom-fit]');
    const fitted = await viewBox();

    // Assess
    expect(whole).toEqual({ x: 0, y: 0, w: layout.width, h: layout.height });
    expect(zoomedIn.w).toBeLessThan(whole.w * 0.7);
    expect(zoomedOut.w).toBeGreaterThan(zoomedIn.w);
    expect(wheeled.w).toBeLessThan(zoomedOut.w);
    for (const node of layout.nodes) {
      expect(node.x).toBeGreaterThanOrEqual(fitted.x);
      expect(node.y).toBeGreaterThanOrEqual(fitted.y);
      expect(node.x + node.width).toBeLessThanOrEqual(fitted.x + fitted.w);
      expect(node.y + node.height).toBeLessThanOrEqual(fitted.y + fitted.h);
    }
    // The whole drawing (states, edges, labels) inside the card, as far from its left edge as from its right.
    const fit = (await page.evaluate(`(() => {
      const card = document.querySelector('.graph-card').getBoundingClientRect();
      const drawn = [...document.querySelectorAll('svg.graph > g, svg.graph > rect')].map((r) => r.getBoundingClientRect());
      return { card: [card.left, card.right], left: Math.min(...drawn.map((b) => b.left)), right: Math.max(...drawn.map((b) => b.right)) };
    })()`)) as { card: [number, number]; left: number; right: number };
    expect(fit.left).toBeGreaterThan(fit.card[0]);
    expect(fit.right).toBeLessThan(fit.card[1]);
    expect(Math.abs(fit.left - fit.card[0] - (fit.card[1] - fit.right))).toBeLessThan(8);
  });

  it('labels every catch edge with what it catches, and sizes each node to its text, "retrying, attempt 2" included', async () => {
    // Prepare
    const { layout } = await getJson<GraphResponse>('/api/graph');
    await page.goto(`${running.console.url}/#/executions/${await executionOf(image.ok)}`);
    await page.locator('svg.graph [data-state="StoreResult"][data-status=succeeded]').waitFor();

    // Act: measure each state's name and its longest subtitle, drawn in the node with the node's own styles
    const overflows = (await page.evaluate(`(() => [...document.querySelectorAll('svg.graph g.node')].flatMap((g) => {
      const rect = g.querySelector('rect').getBBox();
      const type = g.querySelector('[data-testid=node-subtitle]');
      const probe = type.cloneNode();
      probe.textContent = g.querySelector('title').textContent.match(/\\((\\w+)\\)/)[1] + ' · retrying, attempt 2';
      g.appendChild(probe);
      const texts = [g.querySelector('text.name'), type, probe].map((t) => t.getBBox());
      probe.remove();
      return texts.filter((t) => t.x < rect.x + 4 || t.x + t.width > rect.x + rect.width - 4).map(() => g.getAttribute('data-state'));
    }))()`)) as string[];
    const labels = await page
      .locator('svg.graph g.edge-catch')
      .evaluateAll((edges) => edges.map((e) => [e.getAttribute('data-edge'), e.querySelector('[data-testid=edge-label]')?.textContent]));

    // Assess
    expect(overflows).toEqual([]);
    const catches = layout.edges.filter((e) => e.kind === 'catch');
    expect(catches.length).toBeGreaterThan(3);
    expect(labels).toHaveLength(catches.length);
    for (const edge of catches) {
      expect(labels).toContainEqual([`${edge.source}->${edge.target}`, `Catch: ${edge.errors?.join(', ')}`]);
    }
    expect(labels.map(([, label]) => label)).toContain('Catch: States.ALL');
  });

  it('opens a failed execution on the state that failed: zoomed onto it and its error shown', async () => {
    // Prepare
    const { layout } = await getJson<GraphResponse>('/api/graph');
    const node = layout.nodes.find((n) => n.name === 'DetectFaces')!;

    // Act
    await page.goto(`${running.console.url}/#/executions/${await executionOf(image.transient)}`);
    await page.locator('[data-testid=state-panel][data-state="DetectFaces"]').waitFor();
    const view = await viewBox();

    // Assess
    expect(await page.getAttribute('svg.graph', 'data-focus')).toBe('DetectFaces');
    expect(view.w).toBeLessThan(layout.width);
    expect(node.x).toBeGreaterThanOrEqual(view.x);
    expect(node.x + node.width).toBeLessThanOrEqual(view.x + view.w);
    expect(node.y).toBeGreaterThanOrEqual(view.y);
    expect(node.y + node.height).toBeLessThanOrEqual(view.y + view.h);
    await expect(page.locator('[data-testid=state-error]').textContent()).resolves.toContain('AccessDeniedException');
    await page.screenshot({ path: artifactPath('20-execution-failed-focused.png'), fullPage: true });
  });

  it('filters events by type, state and text, expands one to its JSON, on the Duration time base, in no clipping box', async () => {
    // Prepare
    const name = await executionOf(image.transient);
    const detail = await getJson<ExecutionDetail>(`/api/executions/${name}`);
    await page.goto(`${running.console.url}/#/executions/${name}`);
    const rows = page.locator('[data-testid=history] tr.event-row');
    await page.waitForFunction(
      (n) => (globalThis as unknown as Dom).document.querySelectorAll('[data-testid=history] tr.event-row').length === n,
      detail.events.length,
    );

    // Act + Assess: by type
    await page.selectOption('[data-testid=event-type]', 'StateEntered');
    const entered = detail.events.filter((e) => e.type === 'StateEntered').length;
    await page.waitForFunction(
      (n) => (globalThis as unknown as Dom).document.querySelectorAll('[data-testid=history] tr.event-row').length === n,
      entered,
    );
    expect(new Set(await rows.locator('td:nth-child(2)').allTextContents())).toEqual(new Set(['StateEntered']));
    // by state
    await page.selectOption('[data-testid=event-type]', '');
    await page.selectOption('[data-testid=event-state]', 'DetectFaces');
    const ofState = detail.events.filter((e) => (e.state?.name ?? e.parentState?.name) === 'DetectFaces').length;
    await page.waitForFunction(
      (n) => (globalThis as unknown as Dom).document.querySelectorAll('[data-testid=history] tr.event-row').length === n,
      ofState,
    );
    // by text (an error only some events carry)
    await page.selectOption('[data-testid=event-state]', '');
    await page.fill('[data-testid=event-search]', 'AccessDenied');
    const mentioning = detail.events.filter((e) => JSON.stringify(e).toLowerCase().includes('accessdenied')).length;
    await page.waitForFunction(
      (n) => (globalThis as unknown as Dom).document.querySelectorAll('[data-testid=history] tr.event-row').length === n,
      mentioning,
    );
    expect(mentioning).toBeLessThan(detail.events.length);
    // expand one
    await rows.first().click();
    await expect(page.locator('[data-testid=event-detail]').textContent()).resolves.toContain('AccessDeniedException');
    await page.fill('[data-testid=event-search]', '');

    // The first event (ExecutionStarted) is the time base, as for the header's Duration; nothing clipped
    expect(detail.events[0].type).toBe('ExecutionStarted');
    expect(await rows.first().locator('[data-testid=event-elapsed]').textContent()).toBe('0 ms');
    expect(Date.parse(detail.runStartedAt!)).toBe(detail.events[0].timestamp);
    const clipped = (await page.evaluate(`(() => {
      const table = document.querySelector('[data-testid=history]');
      const clips = [];
      for (let el = table.parentElement; el && el !== document.body; el = el.parentElement) {
        if (el.scrollHeight > el.clientHeight + 1) clips.push(el.className);
      }
      return clips;
    })()`)) as string[];
    expect(clipped).toEqual([]);
  });

  it('shows Input / Output / Error / Definition tabs as JSON trees, copies them, and a table view with a timeline', async () => {
    // Prepare
    const name = await executionOf(image.transient);
    const detail = await getJson<ExecutionDetail>(`/api/executions/${name}`);
    await page.goto(`${running.console.url}/#/executions/${name}?state=ValidateImage`);
    const tabs = page.locator('[data-testid=execution-tabs]');

    // Act: copy the execution's input
    await tabs.locator('[data-tab=Input]').click();
    await tabs.locator('[data-testid=execution-tabs-input] [data-testid=copy-json]').click();
    await tabs.locator('[data-testid=execution-tabs-input] [data-testid=copy-json]', { hasText: 'Copied' }).waitFor();
    const copied = (await page.evaluate('navigator.clipboard.readText()')) as string;

    // Assess
    expect(JSON.parse(copied)).toEqual(detail.input);
    expect(await tabs.locator('[data-testid=execution-tabs-input] details.json-branch').count()).toBeGreaterThan(1);
    await tabs.locator('[data-tab=Error]').click();
    await expect(tabs.locator('[role=tabpanel]:not([hidden])').textContent()).resolves.toContain(detail.error!);
    await tabs.locator('[data-tab=Definition]').click();
    await expect(tabs.locator('[role=tabpanel]:not([hidden])').textContent()).resolves.toContain('"StartAt"');
    const stateTabs = page.locator('[data-testid=state-panel][data-state=ValidateImage] [data-testid=state]');
    await stateTabs.locator('[data-tab=Output]').click();
    await expect(stateTabs.locator('[role=tabpanel]:not([hidden])').textContent()).resolves.toContain('"format"');
    await stateTabs.locator('[data-tab=Definition]').click();
    await expect(stateTabs.locator('[role=tabpanel]:not([hidden])').textContent()).resolves.toContain('"Type": "Task"');
    expect(await page.locator('[data-testid=state-panel] pre').count()).toBe(0);

    // Act: the table view
    await page.click('[data-testid=view-table]');
    const table = page.locator('[data-testid=state-table]');
    const bars = await table
      .locator('[data-testid=timeline-bar]')
      .evaluateAll((spans) =>
        spans.map((s) => [Number.parseFloat(s.getAttribute('style')?.match(/left: ([\d.]+)%/)?.[1] ?? 'NaN'), s.className]),
      );

    // Assess: one row per state, a bar for each state that ran, all within the execution's span
    expect(await table.locator('tr[data-state="DetectFaces"] .badge').getAttribute('data-status')).toBe('caught');
    const ran = await table.locator('tbody tr .badge:not([data-status=not-run])').count();
    expect(ran).toBeGreaterThan(5);
    expect(bars).toHaveLength(ran);
    for (const [left] of bars) {
      expect(left).toBeGreaterThanOrEqual(0);
      expect(left).toBeLessThanOrEqual(100);
    }
  });

  it('exports the execution history as a JSON download', async () => {
    // Prepare
    const name = await executionOf(image.transient);
    const detail = await getJson<ExecutionDetail>(`/api/executions/${name}`);
    await page.goto(`${running.console.url}/#/executions/${name}`);

    // Act
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-history]')]);
    const exported = JSON.parse(readFileSync((await download.path())!, 'utf8')) as { execution: { name: string }; events: unknown[] };

    // Assess
    expect(download.suggestedFilename()).toBe(`${name}-history.json`);
    expect(exported.execution.name).toBe(name);
    expect(exported.events).toEqual(detail.events);
  });

  it('fits the branches table in its card on PARTIAL, durations on one line, a large image', async () => {
    // Act
    await page.goto(`${running.console.url}/#/images/${encodeURIComponent(image.transient)}`);
    const branches = page.locator('[data-testid=branches]');
    await branches.waitFor();
    const fit = (await page.evaluate(`(() => {
      const table = document.querySelector('[data-testid=branches]');
      const card = table.closest('.card');
      const durations = [...table.querySelectorAll('td.num')].map((td) => {
        const range = document.createRange();
        range.selectNodeContents(td);
        return [td.textContent, new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size];
      });
      return { table: table.scrollWidth, card: card.clientWidth, cardScroll: card.scrollWidth, durations };
    })()`)) as { table: number; card: number; cardScroll: number; durations: [string, number][] };
    const img = (await page.evaluate(`(() => {
      const img = document.querySelector('[data-testid=viewer] img');
      return { shown: img.getBoundingClientRect().width, card: img.closest('.card').clientWidth };
    })()`)) as { shown: number; card: number };

    // Assess
    expect(await branches.locator('.badge[data-status=FAILED]').count()).toBeGreaterThan(0);
    expect(fit.cardScroll).toBeLessThanOrEqual(fit.card);
    expect(fit.table).toBeLessThanOrEqual(fit.card);
    const timed = fit.durations.filter(([text]) => /^\d+(\.\d+)? (ms|s)$/.test(text));
    expect(timed.length).toBeGreaterThan(1);
    expect(timed.map(([, lines]) => lines)).toEqual(timed.map(() => 1));
    expect(img.shown).toBeGreaterThan(img.card * 0.6);
    await page.screenshot({ path: artifactPath('21-result-partial.png'), fullPage: true });
  });

  it('highlights a face or label box when its row is hovered, and the row when its box is', async () => {
    // Prepare
    await page.goto(`${running.console.url}/#/images/${encodeURIComponent(image.ok)}`);
    const faceRow = page.locator('[data-testid=faces] tr[data-hover="face-0"]');
    await faceRow.waitFor();
    const faceBox = page.locator('[data-testid=box-face][data-hover="face-0"]');

    // Act + Assess: row -> box, box -> row
    await faceRow.hover();
    expect(await faceBox.getAttribute('class')).toContain('highlighted');
    await page.mouse.move(0, 0);
    expect(await faceBox.getAttribute('class')).not.toContain('highlighted');
    await faceBox.hover();
    expect(await faceRow.getAttribute('class')).toContain('highlighted');

    // Act + Assess: a label with a box (the objects found)
    await page.goto(`${running.console.url}/#/images/${encodeURIComponent(image.transient)}`);
    const objectBox = page.locator('[data-testid=box-object]').first();
    await objectBox.waitFor();
    const key = (await objectBox.getAttribute('data-hover'))!;
    await page.hover(`[data-testid=labels] [data-hover="${key}"]`);
    expect(await objectBox.getAttribute('class')).toContain('highlighted');
  });

  it('says to upload a fixed file for a corrupt JPEG, offers Replay with attempts for a transient failure on all three pages', async () => {
    // Prepare
    const letters = (await getJson<DeadLettersResponse>('/api/dead-letters')).messages;
    const corrupt = letters.find((m) => m.imageId === image.corrupt)!;
    const transient = letters.find((m) => m.imageId === image.transient)!;
    expect(corrupt.permanent).toBe(true);
    expect(transient.permanent).toBe(false);

    // Act + Assess: the failures list
    await page.goto(`${running.console.url}/#/failures`);
    const corruptRow = page.locator(`[data-testid=dead-letters] tr[data-message="${corrupt.messageId}"]`);
    const transientRow = page.locator(`[data-testid=dead-letters] tr[data-message="${transient.messageId}"]`);
    await corruptRow.locator('[data-testid=upload-fixed]').waitFor();
    expect(await corruptRow.locator('[data-testid=replay]').count()).toBe(0);
    await expect(corruptRow.locator('[data-testid=upload-fixed]').textContent()).resolves.toBe('Upload a fixed file');
    await expect(corruptRow.locator('[data-testid=permanent-reason]').textContent()).resolves.toContain('CORRUPT');
    await transientRow.locator('[data-testid=attempts]').waitFor();
    expect(await transientRow.locator('[data-testid=replay]').isEnabled()).toBe(true);
    await expect(transientRow.locator('[data-testid=attempts]').textContent()).resolves.toBe('1 attempt, last: Failed');
    // the full cause, readable by opening it (not only a tooltip)
    await transientRow.locator('details.cause summary').first().click();
    await page.screenshot({ path: artifactPath('22-failures-recovery.png'), fullPage: true });
    expect(await transientRow.locator('details.cause pre').first().isVisible()).toBe(true);
    await expect(transientRow.locator('details.cause pre').first().textContent()).resolves.toContain('AccessDenied');

    // the execution pages
    await page.goto(`${running.console.url}/#/executions/${await executionOf(image.corrupt)}`);
    await page.locator('[data-testid=recovery-card] [data-testid=upload-fixed]').waitFor();
    expect(await page.locator('[data-testid=recovery-card] [data-testid=replay]').count()).toBe(0);
    await page.goto(`${running.console.url}/#/executions/${await executionOf(image.transient)}`);
    await page.locator('[data-testid=recovery-card] [data-testid=replay]').waitFor();
    await expect(page.locator('[data-testid=recovery-card] [data-testid=attempts]').textContent()).resolves.toBe('1 attempt, last: Failed');

    // the result pages, and a replay from there (the fault is gone) that succeeds
    await page.goto(`${running.console.url}/#/images/${encodeURIComponent(image.corrupt)}`);
    await page.locator('[data-testid=recovery-card] [data-testid=upload-fixed]').waitFor();
    expect(await page.locator('[data-testid=recovery-card] [data-testid=replay]').count()).toBe(0);
    await page.goto(`${running.console.url}/#/images/${encodeURIComponent(image.transient)}`);
    await page.locator('[data-testid=recovery-card] [data-testid=replay]').click();
    await page.locator('[data-testid=recovery-card]').waitFor({ state: 'detached' });
    const after = (await getJson<DeadLettersResponse>('/api/dead-letters')).messages;
    expect(after.map((m) => m.messageId)).toEqual([corrupt.messageId]);
    expect((await ended(image.transient)).status).toBe('SUCCEEDED');
  });
});

/** The DOM as the page functions see it: this file is type-checked with Node's types, not the DOM's. */
interface Dom {
  document: { querySelectorAll(selector: string): { length: number } };
}
