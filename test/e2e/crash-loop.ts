// The crash loop of issue 15, shared by test/e2e/crash-loop.test.ts (a few iterations) and
// bench/crash-loop.ts (ten): `picflow dev` in a child process takes 20 concurrent PUTs of 1-3 MB JPEGs
// through its S3 endpoint and is SIGKILLed at a moment drawn from a seeded RNG; the next iteration
// starts it again on the same data directory (so a kill may also land in the middle of recovery). At
// the end a stack in this process recovers, goes idle, and every PUT and item is checked.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import sharp from 'sharp';
import { peekAll } from '../../dead-letters/queue';
import { LOCAL_CREDENTIALS, startLocalStack } from '../../local/stack/local-stack';
import { isLabelEntryId } from '../../tasks/shared/image-indexes';
import { randomDevPort } from '../support/ports';

const BIN = join(__dirname, '..', '..', 'bin', 'picflow.js');
const PUTS_PER_ITERATION = 20;
/**
 * Kills land between these times after the first PUT is sent: 20 PUTs of 1-3 MB take 0.3-1.5 s here, so
 * most kills cut bodies or commits off; executions (this iteration's, and the backlog each restart
 * resumes) are running at every moment of the window.
 */
const KILL_WINDOW_MS = [0, 1200] as const;
const FINAL_STATES = new Set(['SUCCEEDED', 'FAILED', 'PARTIAL']);
/** The pipeline for the loop: thumbnails only (no models), so ten iterations take about a minute. */
export const CRASH_LOOP_ENV = { ANALYSES: 'none', MALLOC_ARENA_MAX: '2' };

export interface CrashLoopResult {
  seed: number;
  iterations: number;
  kills: number;
  putsSent: number;
  putsAcknowledged: number;
  /** Acknowledged PUTs whose stored bytes have the sha256 of what was sent. */
  acknowledgedIntact: number;
  /** PUTs that got no answer (killed) but whose object exists: each must be whole too. */
  unacknowledgedStored: number;
  unacknowledgedIntact: number;
  objects: number;
  /** Stored uploads with exactly one image item in SUCCEEDED/FAILED/PARTIAL. */
  objectsWithOneFinalItem: number;
  statuses: Record<string, number>;
  /** Items not in a final state, and items without an object. */
  stuck: string[];
  orphanItems: string[];
  /** DLQ messages naming a SUCCEEDED image. */
  deadLettersForSucceeded: string[];
  killDelaysMs: number[];
  /** Each restart's recovery line (picflow dev's banner), then the final in-process start's. */
  recoveries: string[];
  seconds: number;
}

/** mulberry32: a small seeded RNG, so one seed gives the same kill moments and images every run. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NOISE = { width: 2400, height: 2000 };

/** Seeded random RGB pixels, the source every image of a run is cut from. */
function noisePixels(random: () => number): Buffer {
  const pixels = Buffer.alloc(NOISE.width * NOISE.height * 3);
  for (let i = 0; i + 4 <= pixels.length; i += 4) pixels.writeUInt32LE(Math.floor(random() * 4294967296), i);
  return pixels;
}

/**
 * A valid JPEG of 1-3 MB: a region of the noise of a drawn size at a drawn offset (noise does not
 * compress, so the size follows the pixel count; no two images of a run have the same bytes).
 */
async function noiseJpeg(noise: Buffer, random: () => number): Promise<Buffer> {
  const width = 1150 + Math.floor(random() * 750);
  const height = 1000 + Math.floor(random() * 700);
  const left = Math.floor(random() * (NOISE.width - width));
  const top = Math.floor(random() * (NOISE.height - height));
  return sharp(noise, { raw: { ...NOISE, channels: 3 } })
    .extract({ left, top, width, height })
    .jpeg({ quality: 92 })
    .toBuffer();
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Starts `picflow dev` (no launcher re-exec: MALLOC_ARENA_MAX is set) and resolves once it waits for uploads. */
function startDev(dataDir: string, port: number): Promise<{ child: ChildProcess; recovered: string }> {
  const child = spawn(process.execPath, [BIN, '--data-dir', dataDir, 'dev', '--port', String(port), '--workers', '1'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...CRASH_LOOP_ENV },
  });
  return new Promise((resolve, reject) => {
    let stderr = '';
    const onExit = (code: number | null) => reject(new Error(`picflow dev exited (${code}): ${stderr}`));
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes('Waiting for uploads')) {
        child.off('exit', onExit);
        // The banner's recovery line, when the start found unfinished work of the previous kill.
        resolve({ child, recovered: /Recovered unfinished work: (.*)\n/.exec(stderr)?.[1] ?? 'nothing to recover' });
      }
    });
    child.once('exit', onExit);
  });
}

/** startDev on five random consecutive ports; other ports when one is taken (another process's, on a shared machine). */
async function startDevOnFreePorts(dataDir: string): Promise<{ child: ChildProcess; recovered: string; port: number }> {
  for (let attempt = 1; ; attempt++) {
    const port = randomDevPort();
    try {
      return { ...(await startDev(dataDir, port)), port };
    } catch (error) {
      if (attempt >= 5 || !/already in use/.test((error as Error).message)) throw error;
    }
  }
}

function kill(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

export async function runCrashLoop(options: {
  dataDir: string;
  iterations: number;
  seed: number;
  log?: (line: string) => void;
}): Promise<CrashLoopResult> {
  const { dataDir, iterations, seed } = options;
  const log = options.log ?? (() => undefined);
  const random = seededRandom(seed);
  const noise = noisePixels(random);
  const started = performance.now();
  const sent = new Map<string, { sha: string; acknowledged: boolean }>();
  const killDelaysMs: number[] = [];
  const recoveries: string[] = [];
  let kills = 0;

  for (let iteration = 0; iteration < iterations; iteration++) {
    // Prepare: this iteration's images and kill moment, drawn before anything runs (same seed, same draw).
    const images = [];
    for (let i = 0; i < PUTS_PER_ITERATION; i++) images.push(await noiseJpeg(noise, random));
    const killAfterMs = Math.round(KILL_WINDOW_MS[0] + random() * (KILL_WINDOW_MS[1] - KILL_WINDOW_MS[0]));
    killDelaysMs.push(killAfterMs);
    const startAt = performance.now();
    const { child: dev, recovered, port } = await startDevOnFreePorts(dataDir);
    recoveries.push(recovered);
    const s3 = new S3Client({
      region: 'us-east-1',
      credentials: LOCAL_CREDENTIALS,
      endpoint: `http://127.0.0.1:${port + 1}`,
      forcePathStyle: true,
      maxAttempts: 1,
    });

    const upAt = performance.now();

    // Act: 20 PUTs at once, SIGKILL at the drawn moment
    let lastAckMs = -1;
    const puts = images.map(async (body, i) => {
      const key = `uploads/crash-${iteration}-${i}.jpg`;
      const entry = { sha: sha256(body), acknowledged: false };
      sent.set(key, entry);
      await s3.send(new PutObjectCommand({ Bucket: 'picflow-local', Key: key, Body: body, ContentType: 'image/jpeg' }));
      entry.acknowledged = true;
      lastAckMs = performance.now() - upAt;
    });
    // A PUT the kill cuts off rejects (ECONNRESET) while this loop waits: handled now, counted below.
    for (const put of puts) put.catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, killAfterMs));
    await kill(dev);
    kills += 1;
    await Promise.allSettled(puts);
    s3.destroy();
    const acknowledged = [...sent.keys()].filter(
      (key) => key.startsWith(`uploads/crash-${iteration}-`) && sent.get(key)!.acknowledged,
    ).length;
    log(
      `iteration ${iteration + 1}/${iterations}: started in ${Math.round(upAt - startAt)} ms (${recovered}), ` +
        `killed after ${killAfterMs} ms, ${acknowledged}/${PUTS_PER_ITERATION} PUTs acknowledged (last at ${Math.round(lastAckMs)} ms)`,
    );
  }

  // Assess: a stack in this process recovers on the same data, goes idle, and everything is read back
  const stack = await startLocalStack({ dataDir, rekognitionWorkers: 1, environment: { ...process.env, ...CRASH_LOOP_ENV } });
  try {
    const { resumed, started: startedAgain, settled } = stack.recovery;
    recoveries.push(`final start: ${resumed} execution(s) resumed, ${startedAgain} upload(s) started, ${settled} stuck item(s) settled`);
    await stack.runner.idle();
    const objects: string[] = [];
    for (let token: string | undefined; ; ) {
      const page = await stack.clients.s3.send(
        new ListObjectsV2Command({ Bucket: stack.bucket, Prefix: stack.uploadPrefix, ContinuationToken: token }),
      );
      objects.push(...(page.Contents ?? []).map((o) => o.Key!));
      token = page.NextContinuationToken;
      if (!token) break;
    }
    const stored = new Set(objects);
    const storedSha = async (key: string) =>
      sha256(await (await stack.clients.s3.send(new GetObjectCommand({ Bucket: stack.bucket, Key: key }))).Body!.transformToByteArray());
    let acknowledgedIntact = 0;
    let unacknowledgedStored = 0;
    let unacknowledgedIntact = 0;
    for (const [key, { sha, acknowledged }] of sent) {
      if (!stored.has(key)) continue;
      const intact = (await storedSha(key)) === sha;
      if (acknowledged) acknowledgedIntact += intact ? 1 : 0;
      else {
        unacknowledgedStored += 1;
        unacknowledgedIntact += intact ? 1 : 0;
      }
    }

    const items: Record<string, unknown>[] = [];
    for await (const page of paginateScan(
      { client: DynamoDBDocumentClient.from(stack.clients.dynamodb) },
      { TableName: stack.tableName, ConsistentRead: true },
    )) {
      // Image items only: the label-entry items of the query index share the table.
      items.push(...(page.Items ?? []).filter((item) => !isLabelEntryId(String(item.imageId))));
    }
    const itemsByKey = new Map<string, Record<string, unknown>[]>();
    for (const item of items) itemsByKey.set(String(item.key), [...(itemsByKey.get(String(item.key)) ?? []), item]);
    const statuses: Record<string, number> = {};
    for (const item of items) statuses[String(item.status)] = (statuses[String(item.status)] ?? 0) + 1;
    const objectsWithOneFinalItem = objects.filter(
      (key) => itemsByKey.get(key)?.length === 1 && FINAL_STATES.has(String(itemsByKey.get(key)![0].status)),
    ).length;
    const stuck = items
      .filter((item) => !FINAL_STATES.has(String(item.status)))
      .map((item) => `${String(item.key)} ${String(item.status)}`);
    const orphanItems = items.filter((item) => !stored.has(String(item.key))).map((item) => String(item.key));

    const succeeded = new Set(items.filter((item) => item.status === 'SUCCEEDED').map((item) => String(item.imageId)));
    const letters = await peekAll(stack.clients.sqs, stack.queueUrl, 30);
    const deadLettersForSucceeded = letters.map((l) => l.imageId ?? '').filter((id) => succeeded.has(id));

    const values = [...sent.values()];
    return {
      seed,
      iterations,
      kills,
      putsSent: values.length,
      putsAcknowledged: values.filter((v) => v.acknowledged).length,
      acknowledgedIntact,
      unacknowledgedStored,
      unacknowledgedIntact,
      objects: objects.length,
      objectsWithOneFinalItem,
      statuses,
      stuck,
      orphanItems,
      deadLettersForSucceeded,
      killDelaysMs,
      recoveries,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await stack.close();
  }
}
