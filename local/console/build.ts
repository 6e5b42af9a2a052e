/**
 * Builds the console's web app (local/console/web, TSX + CSS) with esbuild into local/console/dist
 * (gitignored): dist/index.html, dist/app.js, dist/app.css. Offline, in a fraction of a second.
 * The server calls ensureConsoleAssets() at start, which builds only when dist is missing or older
 * than a source file, so `npx picflow dev` works right after `npm ci`; `npm run build` forces it.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { build } from 'esbuild';

export const WEB_DIR = join(__dirname, 'web');
export const SHARED_DIR = join(__dirname, 'shared');
export const ASSETS_DIR = join(__dirname, 'dist');
const STAMP = join(ASSETS_DIR, 'build-stamp.json');

/** Builds the assets if they are missing or stale; returns the directory they are in. */
export async function ensureConsoleAssets(): Promise<string> {
  if (isStale()) await buildConsoleAssets();
  return ASSETS_DIR;
}

export function isStale(): boolean {
  let built: number;
  try {
    built = statSync(STAMP).mtimeMs;
  } catch {
    return true;
  }
  return newestSource() > built;
}

export async function buildConsoleAssets(): Promise<{ files: string[]; ms: number }> {
  const started = Date.now();
  const result = await build({
    entryPoints: { app: join(WEB_DIR, 'main.tsx') },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022', 'chrome110', 'firefox115', 'safari16'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: true,
    sourcemap: 'linked',
    legalComments: 'linked',
    outdir: ASSETS_DIR,
    write: false,
    logLevel: 'silent',
    absWorkingDir: join(__dirname, '..', '..'),
  });
  mkdirSync(ASSETS_DIR, { recursive: true });
  const files = result.outputFiles.map((file) => {
    writeAtomically(file.path, Buffer.from(file.contents));
    return basename(file.path);
  });
  writeAtomically(join(ASSETS_DIR, 'index.html'), readFileSync(join(WEB_DIR, 'index.html')));
  files.push('index.html');
  // Written last: a build cut off half way is seen as stale next time.
  writeAtomically(STAMP, Buffer.from(JSON.stringify({ builtAt: new Date().toISOString(), files })));
  return { files, ms: Date.now() - started };
}

/** Two processes may build at once (parallel test files): each file is replaced whole, never half written. */
function writeAtomically(path: string, contents: Buffer): void {
  const temporary = `${path}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, path);
}

function newestSource(): number {
  let newest = statSync(__filename).mtimeMs;
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  walk(WEB_DIR);
  walk(SHARED_DIR);
  return newest;
}

if (require.main === module) {
  buildConsoleAssets().then(
    ({ files, ms }) =>
      process.stderr.write(`console assets built in ${ms} ms: ${files.map((f) => `local/console/dist/${f}`).join(', ')}\n`),
    (error: Error) => {
      process.stderr.write(`console build failed: ${error.message}\n`);
      process.exitCode = 1;
    },
  );
}
