// Issue 13's 100-upload run: the executions list is open in headless Chromium while 100 small images go straight
// into the local S3 (SDK, no page involved). Every execution must appear in the open list live (no reload) and
// end there with its final status. The page records when each row first appeared and every long task
// (PerformanceObserver 'longtask'); the numbers (lag from routing to row, longest task) go to
// test-artifacts/console/hundred-uploads.json. Timings vary with the machine, so they are asserted (2 s, 200 ms,
// the bounds) only with PICFLOW_PERF_ASSERT=1.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { Browser, Page } from 'playwright-core';
import type { ExecutionsResponse } from '../../local/console/shared/api-types';
import { artifactPath, FIXTURES, launchChromium, startStackWithConsole, tempDir, type Running } from './support';

jest.setTimeout(300_000);

const UPLOADS = 100;

/** Installed before the app loads: long tasks, and the first time each execution's row is in the DOM (epoch ms). */
const RECORDER = `
  window.longTasks = [];
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) window.longTasks.push(Math.round(entry.duration));
  }).observe({ type: 'longtask', buffered: true });
  window.rowSeenAt = {};
  new MutationObserver(() => {
    for (const row of document.querySelectorAll('[data-testid=executions] tbody tr[data-execution]')) {
      const name = row.getAttribute('data-execution');
      if (!(name in window.rowSeenAt)) window.rowSeenAt[name] = performance.timeOrigin + performance.now();
    }
  }).observe(document, { childList: true, subtree: true });
`;

describe('100 uploads with the executions list open', () => {
  const data = tempDir('console-hundred');
  let running: Running;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    [running, browser] = await Promise.all([startStackWithConsole(data.path, { taskEnvironment: { ANALYSES: '' } }), launchChromium()]);
    // bypassCSP: the console's Content-Security-Policy forbids the string-evaluated checks and recorder below.
    page = await (await browser.newContext({ viewport: { width: 1480, height: 980 }, bypassCSP: true })).newPage();
    page.setDefaultTimeout(120_000);
  });

  afterAll(async () => {
    await browser?.close();
    await running?.close();
    data.remove();
  });

  it('shows all 100 executions live and ends each with its status; records routing-to-row lag and long tasks', async () => {
    // Prepare
    await page.addInitScript(RECORDER);
    await page.goto(`${running.console.url}/#/executions`);
    await page.locator('[data-testid=executions]').waitFor();
    await page.locator('.live.on').waitFor();
    const body = readFileSync(join(FIXTURES, 'coffee.png'));

    // Act: 100 uploads at once, straight to S3
    await Promise.all(
      Array.from({ length: UPLOADS }, (_, i) =>
        running.stack.clients.s3.send(
          new PutObjectCommand({ Bucket: running.stack.bucket, Key: `uploads/many-${i}.png`, Body: body, ContentType: 'image/png' }),
        ),
      ),
    );

    // Assess: all 100 rows in the open page, each ended SUCCEEDED, without a reload
    await page.waitForFunction(
      `document.querySelectorAll('[data-testid=executions] tbody tr[data-status=SUCCEEDED]').length === ${UPLOADS}`,
      undefined,
      {
        polling: 200,
      },
    );
    const { executions } = (await (await fetch(`${running.console.url}/api/executions?limit=200`)).json()) as ExecutionsResponse;
    expect(executions).toHaveLength(UPLOADS);
    const seenAt = (await page.evaluate('window.rowSeenAt')) as Record<string, number>;
    const longTasks = (await page.evaluate('window.longTasks')) as number[];
    const lags = executions.map((e) => Math.round(seenAt[e.name] - Date.parse(e.startedAt))).sort((a, b) => a - b);
    expect(lags.every((lag) => Number.isFinite(lag))).toBe(true);

    const numbers = {
      uploads: UPLOADS,
      lagMs: { median: lags[Math.floor(lags.length / 2)], p95: lags[Math.floor(lags.length * 0.95)], max: lags[lags.length - 1] },
      longTasks: { count: longTasks.length, longestMs: Math.max(0, ...longTasks) },
    };
    writeFileSync(artifactPath('hundred-uploads.json'), `${JSON.stringify(numbers, null, 2)}\n`);
    console.log(`100-upload run: ${JSON.stringify(numbers)}`);
    if (process.env.PICFLOW_PERF_ASSERT === '1') {
      expect(numbers.lagMs.max).toBeLessThanOrEqual(2000);
      expect(numbers.longTasks.longestMs).toBeLessThanOrEqual(200);
    }
  });
});
