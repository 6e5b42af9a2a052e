// Shared set-up for the console tests: a local stack in a temp directory with the console on it,
// headless Chromium (Debian's, installed by .ci/run), and an SSE reader for API-level checks.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startConsoleServer, type ConsoleServer } from '../../local/console/server';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../local/stack/local-stack';
import type { StreamMessage } from '../../local/console/shared/api-types';

export const ROOT = join(__dirname, '..', '..');
export const FIXTURES = join(ROOT, 'test', 'fixtures', 'images');
export const ARTIFACTS = join(ROOT, 'test-artifacts', 'console');
export const SCREENSHOTS = join(ROOT, 'docs', 'screenshots');
export const CHROMIUM = process.env.PICFLOW_CHROMIUM ?? '/usr/bin/chromium';

export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `picflow-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export interface Running {
  stack: LocalStack;
  console: ConsoleServer;
  close(): Promise<void>;
}

export async function startStackWithConsole(dataDir: string, options: LocalStackOptions = {}): Promise<Running> {
  const stack = await startLocalStack({ dataDir, rekognitionWorkers: 1, ...options });
  let server: ConsoleServer;
  try {
    server = await startConsoleServer({ stack, port: 0 });
  } catch (error) {
    await stack.close();
    throw error;
  }
  return {
    stack,
    console: server,
    close: async () => {
      await server.close();
      await stack.close();
    },
  };
}

/** Headless Chromium as root on a closed network: without the background-networking flags it hangs. */
export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    const fix = "install Debian's chromium (apt-get install chromium), or set PICFLOW_CHROMIUM to a Chromium or Chrome binary";
    throw new Error(`No Chromium at ${CHROMIUM}: ${fix}`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

/** The two things every browser test runs against: a local stack with the console, and headless Chromium. */
export interface ConsoleInChromium {
  running: Running;
  browser: Browser;
}

/** Starts the stack (its data in `dataDir`) and Chromium side by side. */
export async function startConsoleInChromium(dataDir: string, options: LocalStackOptions = {}): Promise<ConsoleInChromium> {
  const [running, browser] = await Promise.all([startStackWithConsole(dataDir, options), launchChromium()]);
  return { running, browser };
}

/**
 * The browser tests' afterAll: closes Chromium, then the stack, then removes the data directory. Either may be
 * missing (its start failed), so a failed beforeAll still cleans up what there is.
 */
export async function closeConsoleInChromium(started: Partial<ConsoleInChromium>, data: { remove(): void }): Promise<void> {
  await started.browser?.close();
  await started.running?.close();
  data.remove();
}

/** Uploads `body` through the console's API mount (POST /api/v1/images) and resolves with GET's image once its analysis ended. */
export async function uploadAndWait<T extends { status: string }>(
  consoleUrl: string,
  body: Buffer,
  contentType = 'image/jpeg',
): Promise<T> {
  const stored = await fetch(`${consoleUrl}/api/v1/images`, { method: 'POST', headers: { 'Content-Type': contentType }, body });
  const { imageId } = (await stored.json()) as { imageId: string };
  for (;;) {
    const got = await fetch(`${consoleUrl}/api/v1/images/${encodeURIComponent(imageId)}`);
    const image = (await got.json()) as T;
    if (got.status === 200 && ['SUCCEEDED', 'PARTIAL', 'FAILED'].includes(image.status)) return image;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const AXE = join(ROOT, 'node_modules', 'axe-core', 'axe.min.js');

interface AxeViolation {
  id: string;
  impact: string;
  nodes: { target: string[] }[];
}

/**
 * axe-core's serious and critical violations on `page`, one line each (rule, impact, where). The page's context
 * needs `bypassCSP: true`: the console's Content-Security-Policy refuses the inline <script> that injects axe-core.
 */
export async function seriousAxeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  const violations = (await page.evaluate('axe.run(document).then((r) => r.violations)')) as AxeViolation[];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}) at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, name);
}

/**
 * Where a README screenshot goes: docs/screenshots when PICFLOW_UPDATE_SCREENSHOTS=1 (run
 * `PICFLOW_UPDATE_SCREENSHOTS=1 npx jest test/console/phone-keyboard` after a UI change and commit them),
 * otherwise test-artifacts, so an ordinary test run leaves the committed images alone.
 */
export function screenshotPath(name: string): string {
  if (process.env.PICFLOW_UPDATE_SCREENSHOTS !== '1') return artifactPath(name);
  mkdirSync(SCREENSHOTS, { recursive: true });
  return join(SCREENSHOTS, name);
}

/** Reads a server-sent event stream; `next(predicate)` resolves with the first matching message. */
export function openStream(url: string): Promise<{
  messages: StreamMessage[];
  next(match: (m: StreamMessage) => boolean, timeoutMs?: number): Promise<StreamMessage>;
  close(): void;
}> {
  return new Promise((resolve, reject) => {
    const messages: StreamMessage[] = [];
    const waiters: { match: (m: StreamMessage) => boolean; resolve: (m: StreamMessage) => void }[] = [];
    const req = request(url, { headers: { Accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`stream answered ${res.statusCode}`));
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block
            .split('\n')
            .filter((line) => line.startsWith('data: '))
            .map((line) => line.slice(6))
            .join('\n');
          if (!data) continue;
          const message = JSON.parse(data) as StreamMessage;
          messages.push(message);
          for (const w of [...waiters]) {
            if (w.match(message)) {
              waiters.splice(waiters.indexOf(w), 1);
              w.resolve(message);
            }
          }
        }
      });
      resolve({
        messages,
        next: (match, timeoutMs = 30_000) => {
          const seen = messages.find(match);
          if (seen) return Promise.resolve(seen);
          return new Promise((done, fail) => {
            const timer = setTimeout(() => fail(new Error('no matching stream message in time')), timeoutMs);
            waiters.push({
              match,
              resolve: (m) => {
                clearTimeout(timer);
                done(m);
              },
            });
          });
        },
        close: () => req.destroy(),
      });
    });
    req.on('error', (error) => {
      if ((error as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(error);
    });
    req.end();
  });
}
