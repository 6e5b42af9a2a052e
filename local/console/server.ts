/**
 * The local console: a small HTTP server (node:http) on loopback that serves the web app built from
 * local/console/web and a JSON API over a running LocalStack:
 *
 *   GET  /api/info                      bucket, prefixes, queue
 *   GET  /api/graph                     THE definition (local ARNs) and its laid-out graph
 *   GET  /api/executions?status=&imageId=&since=&limit=&cursor=   one page, newest first, from the
 *                                       executions index (live records merged in); nextCursor for the next
 *   GET  /api/executions/NAME           one execution with its full event history
 *   GET  /api/events[?execution=NAME]   server-sent events: executions starting, retrying, ending;
 *                                       with ?execution= also every event of that execution
 *   GET  /api/images?id=BUCKET/KEY      the image's DynamoDB item
 *   GET  /api/objects?key=KEY           an upload or a thumbnail from the local S3 (images only)
 *   GET  /api/dead-letters              the DLQ's messages (received briefly, then released)
 *   POST /api/dead-letters/replay       {messageIds?}: replayDeadLetters(), one at a time
 *   POST /api/uploads?name=FILE         body = the image: PutObject under the upload prefix, so the
 *                                       normal S3 event starts the execution
 *
 * No login: it listens on a loopback address only, and refuses requests whose Host is not a
 * loopback name (DNS rebinding), and API calls and writes from another site (an Origin other than its
 * own, or Sec-Fetch-Site cross-site/same-site: CSRF, cross-site reads). The checks are shared with the
 * other local endpoints: local/http/loopback-guard.ts. Pages themselves may be opened from a link.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { InvalidCursorError, MAX_PAGE_SIZE, type RecordSummary } from '../engine/execution-index';
import type { ExecutionRecord } from '../engine/execution-store';
import { runDurationMs } from '../engine/run-duration';
import type { EventLog } from '../engine/local-state-machine';
import { BodyTooLargeError, finishUnread, readLimitedBody } from '../http/endpoint-gate';
import { crossSiteRefusal, hostRefusal, isLoopbackName } from '../http/loopback-guard';
import { parseDeadLetter, releaseLetter, type DeadLetter } from '../stack/dead-letters';
import type { LocalStack } from '../stack/local-stack';
import { replayDeadLetters } from '../stack/replay-dead-letters';
import { ensureConsoleAssets } from './build';
import { layoutDefinition } from './graph-layout';
import {
  EXECUTION_STATUSES,
  type AslDefinitionLite,
  type DeadLetterSummary,
  type ExecutionDetail,
  type ExecutionStatus,
  type ExecutionSummary,
  type ExecutionsResponse,
  type GraphResponse,
  type HistoryEvent,
  type InfoResponse,
  type ReplayResponse,
  type StreamMessage,
  type UploadResponse,
} from './shared/api-types';

export interface ConsoleServerOptions {
  stack: LocalStack;
  /** 0 picks a free port. @default 0 */
  port?: number;
  /** A loopback address only. @default '127.0.0.1' */
  host?: string;
  /** Where the built web app is; @default built (if stale) into local/console/dist */
  assetsDir?: string;
}

export interface ConsoleServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const MAX_JSON_BYTES = 64 * 1024;
const EXECUTION_NAME = /^[A-Za-z0-9_-]{1,80}$/;
const MESSAGE_ID = /^[A-Za-z0-9_-]{1,128}$/;
/** What a file may be called once uploaded: letters, digits and a few safe signs, no path. */
const UPLOAD_NAME = /^[A-Za-z0-9][A-Za-z0-9 ._()-]{0,199}$/;
const DEAD_LETTER_PEEK_SECONDS = 10;

const STATIC_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};
const IMAGE_TYPES: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
  '.heic': 'image/heic',
  '.heif': 'image/heif',
};

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function startConsoleServer(options: ConsoleServerOptions): Promise<ConsoleServer> {
  const { stack } = options;
  const host = options.host ?? '127.0.0.1';
  if (!isLoopbackName(host)) throw new Error(`the console listens on a loopback address only (no login), not ${host}`);
  const assetsDir = resolve(options.assetsDir ?? (await ensureConsoleAssets()));
  // The stack's own settings (another stack in this process may have others).
  const readablePrefixes = [stack.config.uploadPrefix, stack.config.thumbnailPrefix, stack.config.normalizedPrefix];

  // Records of executions in progress: the store has them as they were at start (no events yet).
  const live = new Map<string, ExecutionRecord>();
  const streams = new Set<{ res: ServerResponse; execution?: string }>();
  let graph: Promise<GraphResponse> | undefined;
  let queueLock: Promise<unknown> = Promise.resolve();
  /** Dead-letter listing and replays take turns: a listing hides messages for a moment. */
  const exclusive = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queueLock.then(work, work);
    queueLock = run.catch(() => undefined);
    return run;
  };

  const broadcast = (message: StreamMessage, execution?: string): void => {
    const text = `data: ${JSON.stringify(message)}\n\n`;
    for (const stream of streams) {
      if (message.kind === 'event' && stream.execution !== execution) continue;
      stream.res.write(text);
    }
  };
  const onStarted = (record: ExecutionRecord): void => {
    live.set(record.name, record);
    broadcast({ kind: 'execution', execution: summarize(record) });
  };
  const onEvent = (record: ExecutionRecord, event: EventLog): void => {
    live.set(record.name, record);
    if (event.type === 'StateRetried') broadcast({ kind: 'execution', execution: summarize(record) });
    broadcast({ kind: 'event', name: record.name, index: record.events.length - 1, event: event as HistoryEvent }, record.name);
  };
  const onFinished = (record: ExecutionRecord): void => {
    live.delete(record.name);
    broadcast({ kind: 'execution', execution: summarize(record) });
  };
  stack.runner.on('started', onStarted);
  stack.runner.on('event', onEvent);
  stack.runner.on('finished', onFinished);

  const routes = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const path = url.pathname;
    const method = req.method ?? 'GET';
    if (method === 'GET' && path === '/api/info') {
      const info: InfoResponse = { bucket: stack.bucket, uploadPrefix: stack.uploadPrefix, tableName: stack.tableName, queueUrl: stack.queueUrl, dataDir: stack.dataDir };
      return sendJson(res, 200, info);
    }
    if (method === 'GET' && path === '/api/graph') {
      const definition = stack.machine.definition as unknown as AslDefinitionLite;
      graph ??= layoutDefinition(definition).then((layout) => ({ definition, layout }));
      return sendJson(res, 200, await graph);
    }
    if (method === 'GET' && path === '/api/executions') {
      const statuses = parseStatuses(url.searchParams.get('status'));
      const imageId = url.searchParams.get('imageId');
      const since = url.searchParams.get('since');
      if (since !== null && Number.isNaN(Date.parse(since))) throw new HttpError(400, 'since must be a date');
      const limitText = url.searchParams.get('limit');
      if (limitText !== null && !/^[1-9][0-9]{0,3}$/.test(limitText)) throw new HttpError(400, `limit must be 1 to ${MAX_PAGE_SIZE}`);
      const limit = limitText === null ? undefined : Number(limitText);
      if (limit !== undefined && limit > MAX_PAGE_SIZE) throw new HttpError(400, `limit must be 1 to ${MAX_PAGE_SIZE}`);
      const page = await stack.store
        .page({ statuses: statuses && [...statuses], imageId: imageId ?? undefined, since: since ?? undefined, limit, cursor: url.searchParams.get('cursor') ?? undefined })
        .catch((error: unknown) => {
          throw error instanceof InvalidCursorError ? new HttpError(400, error.message) : error;
        });
      // A running execution's retries grow between saves: the live record has them.
      const response: ExecutionsResponse = { executions: page.executions.map((s) => summarize(live.get(s.name) ?? s)), nextCursor: page.nextCursor };
      return sendJson(res, 200, response);
    }
    const detail = /^\/api\/executions\/([^/]+)$/.exec(path);
    if (method === 'GET' && detail) {
      const name = decodeURIComponent(detail[1]);
      if (!EXECUTION_NAME.test(name)) throw new HttpError(400, 'not an execution name');
      const record = live.get(name) ?? stack.store.get(name);
      if (!record) throw new HttpError(404, `no execution ${name}`);
      const body: ExecutionDetail = { ...summarize(record), input: record.input, output: record.output, events: record.events as HistoryEvent[] };
      return sendJson(res, 200, body);
    }
    if (method === 'GET' && path === '/api/events') {
      const execution = url.searchParams.get('execution') ?? undefined;
      if (execution !== undefined && !EXECUTION_NAME.test(execution)) throw new HttpError(400, 'not an execution name');
      res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Content-Type-Options': 'nosniff' });
      res.write('retry: 1500\n\n');
      const stream = { res, execution };
      streams.add(stream);
      const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
      heartbeat.unref();
      req.on('close', () => {
        clearInterval(heartbeat);
        streams.delete(stream);
      });
      return;
    }
    if (method === 'GET' && path === '/api/images') {
      const id = url.searchParams.get('id') ?? '';
      if (!id.startsWith(`${stack.bucket}/`) || id.length > 1100 || hasControlCharacters(id)) throw new HttpError(400, 'id must be bucket/key of an image');
      const { Item } = await stack.clients.dynamodb.send(new GetItemCommand({ TableName: stack.tableName, Key: { imageId: { S: id } }, ConsistentRead: true }));
      if (!Item) throw new HttpError(404, `no item for ${id}`);
      return sendJson(res, 200, unmarshall(Item));
    }
    if (method === 'GET' && path === '/api/objects') {
      const key = validObjectKey(url.searchParams.get('key'), readablePrefixes);
      return sendObject(stack, key, res);
    }
    if (method === 'GET' && path === '/api/dead-letters') {
      const messages = await exclusive(() => listDeadLetters(stack));
      return sendJson(res, 200, { messages });
    }
    if (method === 'POST' && path === '/api/dead-letters/replay') {
      const body = (await readJson(req)) as { messageIds?: unknown };
      let messageIds: string[] | undefined;
      if (body.messageIds !== undefined) {
        if (!Array.isArray(body.messageIds) || body.messageIds.length > 100 || !body.messageIds.every((id) => typeof id === 'string' && MESSAGE_ID.test(id))) {
          throw new HttpError(400, 'messageIds must be a list of message ids');
        }
        messageIds = body.messageIds as string[];
      }
      const outcomes = await exclusive(() => replayDeadLetters(stack, { messageIds }));
      const response: ReplayResponse = {
        outcomes: outcomes.map((o) => ({ messageId: o.letter.messageId, status: o.status, detail: o.detail, executionName: o.executionArn?.split(':').pop() })),
      };
      return sendJson(res, 200, response);
    }
    if (method === 'POST' && path === '/api/uploads') {
      const name = url.searchParams.get('name') ?? '';
      if (!UPLOAD_NAME.test(name) || name.includes('..')) throw new HttpError(400, 'name must be a plain file name (letters, digits, space, . _ - ( ))');
      // The pipeline's own limit: a larger upload could only fail.
      const body = await readBody(req, stack.config.maxImageBytes);
      if (body.length === 0) throw new HttpError(400, 'empty upload');
      const key = `${stack.uploadPrefix}${name}`;
      const uploadedAt = new Date().toISOString();
      const type = String(req.headers['content-type'] ?? '');
      const put = await stack.clients.s3.send(
        new PutObjectCommand({ Bucket: stack.bucket, Key: key, Body: body, ContentLength: body.length, ContentType: type.startsWith('image/') ? type : undefined }),
      );
      const response: UploadResponse = { key, imageId: `${stack.bucket}/${key}`, etag: put.ETag?.replace(/"/g, ''), uploadedAt };
      return sendJson(res, 201, response);
    }
    if (path.startsWith('/api/')) throw new HttpError(method === 'GET' || method === 'POST' ? 404 : 405, `no such API: ${method} ${path}`);
    if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, 'method not allowed');
    return sendStatic(assetsDir, path, res);
  };

  const server = createServer((req, res) => {
    const raw = req.url ?? '/';
    // Origin-form only ("/path?query"): never read "//host/..." or "http://..." as another host.
    const url = new URL(`http://console.invalid${raw.startsWith('/') ? raw : '/'}`);
    Promise.resolve()
      .then(() => {
        if (!raw.startsWith('/')) throw new HttpError(400, 'bad request target');
        const hostProblem = hostRefusal(req.headers, port);
        if (hostProblem) throw new HttpError(403, hostProblem);
        const isPage = (req.method === 'GET' || req.method === 'HEAD') && !url.pathname.startsWith('/api/');
        const siteProblem = isPage ? undefined : crossSiteRefusal(req.headers, port);
        if (siteProblem) throw new HttpError(403, siteProblem);
        return routes(req, res, url);
      })
      .catch((error: unknown) => {
        const status = error instanceof HttpError ? error.status : 500;
        if (res.headersSent) return res.end();
        finishUnread(req, res);
        sendJson(res, status, { error: status === 500 ? `internal error: ${(error as Error).message}` : (error as Error).message });
      });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    close: () => {
      closing ??= (async () => {
        stack.runner.off('started', onStarted);
        stack.runner.off('event', onEvent);
        stack.runner.off('finished', onFinished);
        for (const stream of streams) stream.res.end();
        streams.clear();
        await new Promise<void>((done) => {
          server.close(() => done());
          server.closeAllConnections();
        });
        await queueLock;
      })();
      return closing;
    },
  };
}

function summarize(record: RecordSummary): ExecutionSummary {
  return {
    name: record.name,
    executionArn: record.executionArn,
    status: record.status,
    imageId: record.imageId,
    startedAt: record.startedAt,
    stoppedAt: record.stoppedAt,
    durationMs: runDurationMs(record),
    retries: record.retries,
    error: record.error,
    cause: record.cause,
    resumedAt: record.resumedAt,
  };
}

function parseStatuses(value: string | null): Set<ExecutionStatus> | undefined {
  if (value === null || value === '' || value === 'ALL') return undefined;
  const statuses = value.split(',').map((s) => s.trim().toUpperCase());
  for (const s of statuses) if (!(EXECUTION_STATUSES as readonly string[]).includes(s)) throw new HttpError(400, `status must be one of ${EXECUTION_STATUSES.join(', ')}`);
  return new Set(statuses as ExecutionStatus[]);
}

function hasControlCharacters(text: string): boolean {
  return /[\u0000-\u001f\u007f]/.test(text);
}

/** Keys of uploads, thumbnails and normalized copies only; nothing with `..`, `//` or control characters. */
export function validObjectKey(key: string | null, prefixes: string[]): string {
  if (!key || key.length > 1024 || hasControlCharacters(key) || key.startsWith('/') || key.includes('\\')) throw new HttpError(400, 'not an object key');
  if (key.split('/').some((segment) => segment === '..' || segment === '.')) throw new HttpError(400, 'not an object key');
  if (!prefixes.some((prefix) => key.startsWith(prefix))) throw new HttpError(403, `only keys under ${prefixes.join(', ')} are served`);
  return key;
}

async function sendObject(stack: LocalStack, key: string, res: ServerResponse): Promise<void> {
  let object;
  try {
    object = await stack.clients.s3.send(new GetObjectCommand({ Bucket: stack.bucket, Key: key }));
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'NoSuchKey' || name === 'NotFound') throw new HttpError(404, `no object ${key}`);
    throw error;
  }
  const guessed = IMAGE_TYPES[extname(key).toLowerCase()];
  const stored = object.ContentType?.startsWith('image/') && !object.ContentType.includes('svg') ? object.ContentType : undefined;
  const type = stored ?? guessed;
  res.writeHead(200, {
    'Content-Type': type ?? 'application/octet-stream',
    ...(type ? {} : { 'Content-Disposition': 'attachment' }),
    ...(object.ContentLength !== undefined ? { 'Content-Length': String(object.ContentLength) } : {}),
    'Cache-Control': 'no-cache',
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "default-src 'none'",
  });
  const body = object.Body as Readable;
  body.pipe(res);
  await new Promise<void>((done) => {
    res.on('close', () => done());
    body.on('error', () => {
      res.destroy();
      done();
    });
  });
}

/** Every message in the DLQ: received with a short visibility, parsed, then made visible again. */
async function listDeadLetters(stack: LocalStack): Promise<DeadLetterSummary[]> {
  const received: { letter: DeadLetter; body: string }[] = [];
  try {
    for (;;) {
      const { Messages = [] } = await stack.clients.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: stack.queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: DEAD_LETTER_PEEK_SECONDS, WaitTimeSeconds: 0 }),
      );
      if (Messages.length === 0) break;
      for (const m of Messages) received.push({ letter: parseDeadLetter(m.Body ?? '', m.ReceiptHandle!, m.MessageId!), body: m.Body ?? '' });
    }
  } finally {
    await Promise.all(received.map(({ letter }) => releaseLetter(stack.clients.sqs, stack.queueUrl, letter).catch(() => undefined)));
  }
  return received
    .map(({ letter, body }) => describeDeadLetter(letter, body))
    .sort((a, b) => (b.failedAt ?? '').localeCompare(a.failedAt ?? ''));
}

function describeDeadLetter(letter: DeadLetter, body: string): DeadLetterSummary {
  let parsed: Record<string, unknown> = {};
  try {
    const value = JSON.parse(body) as unknown;
    if (value && typeof value === 'object') parsed = value as Record<string, unknown>;
  } catch {
    // parseDeadLetter already says it is not JSON
  }
  const event = letter.event;
  const key = event ? event.detail.object.key : undefined; // raw, as EventBridge sends it
  const failures = Array.isArray(parsed.failures)
    ? (parsed.failures as Record<string, unknown>[]).map((f) => ({ state: String(f.state ?? ''), error: String(f.error ?? ''), cause: String(f.cause ?? '') }))
    : [];
  return {
    messageId: letter.messageId,
    reason: letter.reason,
    status: typeof parsed.status === 'string' ? parsed.status : undefined,
    imageId: typeof parsed.imageId === 'string' ? parsed.imageId : event && key ? `${event.detail.bucket.name}/${key}` : undefined,
    key,
    executionId: letter.executionId,
    executionName: letter.executionId?.split(':').pop(),
    failedAt: typeof parsed.failedAt === 'string' ? parsed.failedAt : event?.time,
    failures,
    replayable: event !== undefined,
  };
}

function sendStatic(assetsDir: string, path: string, res: ServerResponse): void {
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
    'Content-Security-Policy': "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'",
  });
  createReadStream(file).pipe(res);
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  try {
    return await readLimitedBody(req, limit);
  } catch (error) {
    if (error instanceof BodyTooLargeError) throw new HttpError(413, `over the ${limit}-byte limit`);
    throw new HttpError(400, `incomplete body: ${(error as Error).message}`);
  }
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = (await readBody(req, MAX_JSON_BYTES)).toString('utf8');
  if (text.trim() === '') return {};
  try {
    const value = JSON.parse(text) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw new HttpError(400, 'body must be a JSON object');
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
  res.end(text);
}
