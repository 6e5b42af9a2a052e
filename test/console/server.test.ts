// The console's HTTP API without a browser, on a real local stack (analyses off: thumbnails only, so
// each execution takes a fraction of a second): the app and its path validation, uploads through the
// normal S3 path, the execution list and its filters, the live stream, items and thumbnails, the
// dead-letter queue and its replay, and histories that outlive a restart.
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { startConsoleServer } from '../../local/console/server';
import type { LocalStack } from '../../local/stack/local-stack';
import type {
  DeadLettersResponse,
  ExecutionDetail,
  ExecutionsResponse,
  GraphResponse,
  ReplayResponse,
  StreamMessage,
} from '../../local/console/shared/api-types';
import type { ImageItem } from '../../tasks/shared/types';
import { FIXTURES, openStream, startStackWithConsole, tempDir, type Running } from './support';

jest.setTimeout(90_000);

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  json<T>(): T;
}

function call(
  base: string,
  path: string,
  options: { method?: string; body?: Buffer | string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    // A raw path (no URL normalisation), as an attacker's client would send it.
    const req = request({ host: url.hostname, port: url.port, path, method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: <T>() => JSON.parse(body.toString('utf8')) as T });
      });
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** An upload as any S3 client makes it (the page uploads through the HTTP API: test/console/api-mount.test.ts). */
async function upload(
  stack: LocalStack,
  name: string,
  body: Buffer | string,
  type = 'image/png',
): Promise<{ key: string; imageId: string }> {
  const key = `${stack.uploadPrefix}${name}`;
  await stack.clients.s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: key, Body: body, ContentType: type }));
  return { key, imageId: `${stack.bucket}/${key}` };
}

describe('Console API', () => {
  const data = tempDir('console-api');
  let running: Running;
  let base: string;
  let stream: Awaited<ReturnType<typeof openStream>>;
  const finished = (imageId: string) => (m: StreamMessage) =>
    m.kind === 'execution' && m.execution.imageId === imageId && m.execution.status !== 'RUNNING';

  beforeAll(async () => {
    running = await startStackWithConsole(data.path, { taskEnvironment: { ANALYSES: '' } });
    base = running.console.url;
    stream = await openStream(`${base}/api/events`);
  });

  afterAll(async () => {
    stream?.close();
    await running?.close();
    data.remove();
  });

  it('listens on 127.0.0.1 and serves the built app', async () => {
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const index = await call(base, '/');
    expect(index.status).toBe(200);
    expect(index.headers['content-type']).toContain('text/html');
    expect(index.body.toString()).toContain('/app.js');
    const script = await call(base, '/app.js');
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toContain('javascript');
    await expect(startConsoleServer({ stack: running.stack, host: '0.0.0.0' })).rejects.toThrow(/loopback/);
  });

  it('never serves a file outside the app, nor an object outside the pipeline prefixes', async () => {
    for (const path of [
      '/../package.json',
      '/%2e%2e/package.json',
      '/..%2fpackage.json',
      '/app.js/../../server.ts',
      '/build-stamp.json',
      '/.%2e/.%2e/package.json',
      '//etc/passwd',
    ]) {
      const answer = await call(base, path);
      expect([400, 404]).toContain(answer.status);
      expect(answer.body.toString()).not.toContain('"name": "picflow"');
    }
    expect((await call(base, '/api/objects?key=../package.json')).status).toBe(400);
    expect((await call(base, `/api/objects?key=${encodeURIComponent('uploads/../../package.json')}`)).status).toBe(400);
    expect((await call(base, '/api/objects?key=analysis/anything.json')).status).toBe(403);
    expect((await call(base, '/api/objects?key=uploads/missing.png')).status).toBe(404);
    expect((await call(base, `/api/executions/${encodeURIComponent('../executions/x')}`)).status).toBe(400);
    expect((await call(base, '/api/images?id=other-bucket/uploads/a.png')).status).toBe(400);
    expect((await call(base, '/api/executions?status=BOGUS')).status).toBe(400);
    expect((await call(base, '/api/uploads?name=x.png', { method: 'POST', body: 'x' })).status).toBe(404);
    expect((await call(base, '/api/dead-letters/replay', { method: 'POST', body: '{"messageIds":["../x"]}' })).status).toBe(400);
  });

  it('refuses other host names (DNS rebinding) and cross-site writes', async () => {
    expect((await call(base, '/api/info', { headers: { Host: 'evil.example' } })).status).toBe(403);
    expect((await call(base, '/api/info', { headers: { Host: 'localhost' } })).status).toBe(200);
    const crossSite = await call(base, '/api/v1/images', {
      method: 'POST',
      body: 'x',
      headers: { Origin: 'http://evil.example', 'Content-Type': 'image/png' },
    });
    expect(crossSite.status).toBe(403);
  });

  it('lays out THE definition with the Parallel branches side by side', async () => {
    const { definition, layout } = (await call(base, '/api/graph')).json<GraphResponse>();
    expect(definition).toEqual(JSON.parse(JSON.stringify(running.stack.machine.definition)));
    const states = layout.nodes.filter((n) => n.kind !== 'branch').map((n) => n.name);
    expect(states.sort()).toEqual(allStateNames(definition).sort());
    const branches = layout.nodes.filter((n) => n.kind === 'branch');
    expect(branches).toHaveLength(4);
    expect(new Set(branches.map((b) => b.y)).size).toBe(1);
    expect(branches.map((b) => b.x)).toEqual([...branches.map((b) => b.x)].sort((a, b) => a - b));
    const parallel = layout.nodes.find((n) => n.name === 'AnalyzeImage' && n.kind === 'parallel')!;
    for (const b of branches) {
      expect(b.x).toBeGreaterThanOrEqual(parallel.x);
      expect(b.x + b.width).toBeLessThanOrEqual(parallel.x + parallel.width);
    }
    expect(layout.edges.find((e) => e.source === 'ClaimImage' && e.target === 'RecordFailure')?.kind).toBe('catch');
    expect(layout.edges.every((e) => e.points.length >= 2)).toBe(true);
  });

  it('uploads through the S3 path: the event starts an execution, streamed live and listed newest first', async () => {
    const first = await upload(running.stack, 'coffee.png', readFileSync(join(FIXTURES, 'coffee.png')));
    expect(first).toMatchObject({ key: 'uploads/coffee.png', imageId: 'picflow-local/uploads/coffee.png' });
    const started = await stream.next((m) => m.kind === 'execution' && m.execution.imageId === first.imageId);
    const done = await stream.next(finished(first.imageId));
    expect(done.kind === 'execution' && done.execution.status).toBe('SUCCEEDED');
    const name = started.kind === 'execution' ? started.execution.name : '';

    const second = await upload(running.stack, 'rocket.jpg', readFileSync(join(FIXTURES, 'rocket.jpg')), 'image/jpeg');
    await stream.next(finished(second.imageId));
    const { executions } = (await call(base, '/api/executions')).json<ExecutionsResponse>();
    expect(executions.map((e) => e.imageId)).toEqual([second.imageId, first.imageId]);
    expect(executions[1]).toMatchObject({ name, status: 'SUCCEEDED', retries: 0, durationMs: expect.any(Number) });

    const detail = (await call(base, `/api/executions/${name}`)).json<ExecutionDetail>();
    expect(detail.events[0].type).toBe('ExecutionStarted');
    expect(detail.events.at(-1)?.type).toBe('ExecutionSucceeded');
    expect(detail.events.filter((e) => e.type === 'ParallelBranchStarted')).toHaveLength(4);

    const item = (await call(base, `/api/images?id=${encodeURIComponent(first.imageId)}`)).json<ImageItem>();
    expect(item).toMatchObject({ imageId: first.imageId, status: 'SUCCEEDED' });
    const thumbnail = await call(base, `/api/objects?key=${encodeURIComponent(item.thumbnails![0].key)}`);
    expect(thumbnail.status).toBe(200);
    expect(thumbnail.headers['content-type']).toBe('image/jpeg');
    expect(thumbnail.body.subarray(0, 2).toString('hex')).toBe('ffd8');
    expect((await call(base, '/api/images?id=picflow-local/uploads/never.png')).status).toBe(404);
  });

  it("streams one execution's events as they happen, with their index in its history", async () => {
    const [original] = (await call(base, '/api/executions?imageId=picflow-local%2Fuploads%2Fcoffee.png')).json<ExecutionsResponse>()
      .executions;
    const input = running.stack.store.get(original.name)!.input;
    const own = await openStream(`${base}/api/events?execution=console-sse-check`);
    try {
      // The same event again: ClaimImage sees the result is stored and skips, in a few steps.
      const record = await running.stack.runner.start(input, 'console-sse-check');
      const last = await own.next((m) => m.kind === 'event' && m.event.type === 'ExecutionSucceeded');
      const events = own.messages.filter((m): m is Extract<StreamMessage, { kind: 'event' }> => m.kind === 'event');
      expect(events.every((m) => m.name === 'console-sse-check')).toBe(true);
      expect(events.map((m) => m.index)).toEqual(events.map((_, i) => i));
      expect(events.map((m) => m.event.type)).toEqual(record.events.map((e) => e.type));
      expect(events.some((m) => m.event.state?.name === 'AlreadyProcessed')).toBe(true);
      expect(last.kind === 'event' && last.index).toBe(record.events.length - 1);
    } finally {
      own.close();
    }
  });

  it('filters executions by status and image', async () => {
    const bad = await upload(running.stack, 'notes.png', 'these are notes, not an image\n');
    await stream.next(finished(bad.imageId));
    const failed = (await call(base, '/api/executions?status=FAILED')).json<ExecutionsResponse>().executions;
    expect(failed.map((e) => e.imageId)).toEqual([bad.imageId]);
    expect(failed[0].error).toBe('ImageProcessingFailed');
    const succeeded = (await call(base, '/api/executions?status=SUCCEEDED')).json<ExecutionsResponse>().executions;
    expect(succeeded.length).toBe(3);
    expect(succeeded.every((e) => e.status === 'SUCCEEDED')).toBe(true);
    const both = (await call(base, '/api/executions?status=FAILED,SUCCEEDED')).json<ExecutionsResponse>().executions;
    expect(both).toHaveLength(4);
    const byImage = (await call(base, `/api/executions?imageId=${encodeURIComponent(bad.imageId)}`)).json<ExecutionsResponse>().executions;
    expect(byImage).toHaveLength(1);
    expect((await call(base, '/api/executions?status=RUNNING')).json<ExecutionsResponse>().executions).toEqual([]);
  });

  it('pages the execution list with limit and an opaque cursor, within a status filter too', async () => {
    // Prepare: the four executions so far, newest first
    const all = (await call(base, '/api/executions')).json<ExecutionsResponse>();
    expect(all.executions).toHaveLength(4);
    expect(all.nextCursor).toBeUndefined();

    // Act
    const first = (await call(base, '/api/executions?limit=3')).json<ExecutionsResponse>();
    const second = (
      await call(base, `/api/executions?limit=3&cursor=${encodeURIComponent(first.nextCursor ?? '')}`)
    ).json<ExecutionsResponse>();
    const succeeded = (await call(base, '/api/executions?status=SUCCEEDED&limit=2')).json<ExecutionsResponse>();
    const succeededRest = (
      await call(base, `/api/executions?status=SUCCEEDED&limit=2&cursor=${encodeURIComponent(succeeded.nextCursor ?? '')}`)
    ).json<ExecutionsResponse>();

    // Assess
    expect(first.executions).toHaveLength(3);
    expect([...first.executions, ...second.executions].map((e) => e.name)).toEqual(all.executions.map((e) => e.name));
    expect(second.nextCursor).toBeUndefined();
    expect([...succeeded.executions, ...succeededRest.executions].map((e) => e.name)).toEqual(
      all.executions.filter((e) => e.status === 'SUCCEEDED').map((e) => e.name),
    );
    for (const bad of ['limit=0', 'limit=abc', 'limit=5000', 'cursor=not-a-cursor'])
      expect((await call(base, `/api/executions?${bad}`)).status).toBe(400);
  });

  it('lists the dead letters with their error and replays one (through replayDeadLetters)', async () => {
    const { messages } = (await call(base, '/api/dead-letters')).json<DeadLettersResponse>();
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({
      key: 'uploads/notes.png',
      status: 'FAILED',
      replayable: true,
      executionName: expect.stringMatching(/^notes-png-/),
    });
    expect(messages[0].failures[0]).toMatchObject({ state: 'ValidateImage', error: expect.stringContaining('Error') });
    // Listing gives them back at once: a second look sees the same message.
    expect((await call(base, '/api/dead-letters')).json<DeadLettersResponse>().messages.map((m) => m.messageId)).toEqual([
      messages[0].messageId,
    ]);

    const replay = await call(base, '/api/dead-letters/replay', {
      method: 'POST',
      body: JSON.stringify({ messageIds: [messages[0].messageId] }),
      headers: { 'Content-Type': 'application/json' },
    });
    expect(replay.status).toBe(200);
    const { outcomes } = replay.json<ReplayResponse>();
    // Still not an image: the re-run fails, the message stays (one, not two).
    expect(outcomes).toEqual([
      expect.objectContaining({ messageId: messages[0].messageId, status: 'FAILED', executionName: expect.stringMatching(/^notes-png-/) }),
    ]);
    const after = (await call(base, '/api/dead-letters')).json<DeadLettersResponse>().messages;
    expect(after.map((m) => m.messageId)).toEqual([messages[0].messageId]);
    expect(
      (await call(base, '/api/dead-letters/replay', { method: 'POST', body: '{"messageIds":["no-such-message"]}' })).json<ReplayResponse>()
        .outcomes,
    ).toEqual([]);
  });

  it('keeps execution histories across a restart of the stack', async () => {
    const before = (await call(base, '/api/executions')).json<ExecutionsResponse>().executions;
    expect(before.length).toBeGreaterThanOrEqual(5);
    stream.close();
    await running.close();

    running = await startStackWithConsole(data.path, { taskEnvironment: { ANALYSES: '' } });
    base = running.console.url;
    stream = await openStream(`${base}/api/events`);
    const after = (await call(base, '/api/executions')).json<ExecutionsResponse>().executions;
    expect(after.map((e) => [e.name, e.status])).toEqual(before.map((e) => [e.name, e.status]));
    const detail = (await call(base, `/api/executions/${before[0].name}`)).json<ExecutionDetail>();
    expect(detail.events.length).toBeGreaterThan(5);
  });
});

function allStateNames(definition: GraphResponse['definition']): string[] {
  return Object.entries(definition.States).flatMap(([name, state]) => [name, ...(state.Branches ?? []).flatMap((b) => allStateNames(b))]);
}
