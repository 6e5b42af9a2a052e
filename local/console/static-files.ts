/** Serves the console's built web app (a flat folder of files) with strict headers. */
import type { ServerResponse } from 'node:http';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';
import { HttpError } from './http-responses';

const STATIC_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

export function sendStatic(assetsDir: string, path: string, res: ServerResponse): void {
  const name = path === '/' ? 'index.html' : path.slice(1);
  // Flat directory of built files: one plain file name, nothing else (no `..`, no `%`, no sub-folders).
  if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)+$/.test(name) || name.startsWith('build-stamp')) throw new HttpError(404, 'not found');
  const file = resolve(join(assetsDir, name));
  if (!file.startsWith(assetsDir + sep) || !existsSync(file) || !statSync(file).isFile()) throw new HttpError(404, 'not found');
  const type = STATIC_TYPES[extname(file)] ?? 'application/octet-stream';
  res.writeHead(200, {
    'Content-Type': type,
    'Content-Length': String(statSync(file).size),
    'Cache-Control': 'no-cache',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Content-Security-Policy':
      "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'",
  });
  createReadStream(file).pipe(res);
}
