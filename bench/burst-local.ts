// A burst on the real local stack: N small uploads (default 1,000) PUT at once through its S3 endpoint;
// measures the time until every execution has finished and checks that nothing was lost: each upload
// has one item in a final state, none PROCESSING, one execution each, no dead letter for a SUCCEEDED image.
//   npm run bench:burst-local -- [--uploads 1000] [--analyses moderation] [--workers N] [--concurrency N]
// Images are 160x120 JPEG crops of the fixtures (each distinct); ANALYSES defaults to moderation only (the
// cheapest model: the burst measures the stack's plumbing, not the models); `--analyses all` runs all four.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import sharp from 'sharp';
import { peekAll } from '../dead-letters/queue';
import type { ExecutionRecord } from '../local/engine/execution-store';
import { limitImageThreads, startLocalStack } from '../local/stack/local-stack';
import { ALL_ANALYSES } from '../tasks/shared/settings';
import { isLabelEntryId } from '../tasks/shared/image-indexes';

const FIXTURES = join(__dirname, '..', 'test', 'fixtures', 'images');
const SOURCES = ['astronaut.png', 'chelsea.png', 'coffee.png', 'motorcycle_left.png', 'rocket.jpg'];
const FINAL = new Set(['SUCCEEDED', 'FAILED', 'PARTIAL']);

const { values } = parseArgs({
  options: {
    uploads: { type: 'string', default: '1000' },
    analyses: { type: 'string', default: 'moderation' },
    workers: { type: 'string' },
    concurrency: { type: 'string' },
  },
});
const uploads = Number(values.uploads);
const analyses = values.analyses === 'all' ? ALL_ANALYSES.join(',') : values.analyses;

/** Image i: a 160x120 crop of a fixture at an offset of its own, so no two uploads have the same bytes. */
async function smallImages(): Promise<Buffer[]> {
  const sources = await Promise.all(SOURCES.map((name) => sharp(join(FIXTURES, name)).resize(400, 300, { fit: 'cover' }).toBuffer()));
  const images: Buffer[] = [];
  for (let i = 0; i < uploads; i++) {
    const step = Math.floor(i / SOURCES.length);
    images.push(
      await sharp(sources[i % SOURCES.length])
        .extract({ left: step % 240, top: Math.floor(step / 240) % 180, width: 160, height: 120 })
        .jpeg({ quality: 85 })
        .toBuffer(),
    );
  }
  return images;
}

async function main(): Promise<void> {
  limitImageThreads();
  const dataDir = mkdtempSync(join(tmpdir(), 'picflow-burst-local-'));
  const images = await smallImages();
  const stack = await startLocalStack({
    dataDir,
    rekognitionWorkers: values.workers ? Number(values.workers) : undefined,
    concurrency: values.concurrency ? Number(values.concurrency) : undefined,
    environment: { ...process.env, ANALYSES: analyses },
  });
  try {
    console.error(
      `burst: ${uploads} uploads of 160x120 JPEGs (${Math.round(images.reduce((n, b) => n + b.length, 0) / uploads)} bytes on average), ` +
        `ANALYSES=${analyses}, data in ${dataDir}`,
    );
    const finished: ExecutionRecord[] = [];
    const allFinished = new Promise<void>((resolve) =>
      stack.runner.on('finished', (record: ExecutionRecord) => {
        finished.push(record);
        if (finished.length % 100 === 0) console.error(`  ${finished.length} finished`);
        if (finished.length === uploads) resolve();
      }),
    );
    const started = performance.now();
    await Promise.all(
      images.map((body, i) =>
        stack.clients.s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: `${stack.uploadPrefix}burst/${i}.jpg`, Body: body })),
      ),
    );
    const uploadedSeconds = (performance.now() - started) / 1000;
    await allFinished;
    await stack.runner.idle();
    const drainSeconds = (performance.now() - started) / 1000;

    const items: Record<string, unknown>[] = [];
    for await (const page of paginateScan(
      { client: DynamoDBDocumentClient.from(stack.clients.dynamodb) },
      { TableName: stack.tableName, ConsistentRead: true },
    )) {
      items.push(...(page.Items ?? []).filter((item) => !isLabelEntryId(String(item.imageId))));
    }
    const statuses: Record<string, number> = {};
    for (const item of items) statuses[String(item.status)] = (statuses[String(item.status)] ?? 0) + 1;
    const keysWithFinalItem = new Set(items.filter((item) => FINAL.has(String(item.status))).map((item) => String(item.key)));
    const lost = images.filter((_, i) => !keysWithFinalItem.has(`${stack.uploadPrefix}burst/${i}.jpg`)).length;
    const executionsPerKey = new Map<string, number>();
    for (const record of finished) executionsPerKey.set(record.imageId ?? '', (executionsPerKey.get(record.imageId ?? '') ?? 0) + 1);
    const succeeded = new Set(items.filter((item) => item.status === 'SUCCEEDED').map((item) => String(item.imageId)));
    const letters = await peekAll(stack.clients.sqs, stack.queueUrl, 30);
    const result = {
      uploads,
      analyses,
      workers: values.workers ?? 'cores',
      concurrency: values.concurrency ?? 'one per worker',
      uploadedSeconds: Number(uploadedSeconds.toFixed(1)),
      drainSeconds: Number(drainSeconds.toFixed(1)),
      imagesPerSecond: Number((uploads / drainSeconds).toFixed(1)),
      executionsFinished: finished.length,
      executionStatuses: finished.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.status]: (acc[r.status] ?? 0) + 1 }), {}),
      itemStatuses: statuses,
      items: items.length,
      lost,
      keysWithMoreThanOneExecution: [...executionsPerKey.values()].filter((n) => n > 1).length,
      deadLetters: letters.length,
      deadLettersForSucceeded: letters.filter((l) => succeeded.has(l.imageId ?? '')).length,
      retries: finished.reduce((n, r) => n + (r.retries ?? 0), 0),
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    };
    console.log(JSON.stringify(result, null, 2));
    process.exitCode = lost === 0 && result.items === uploads ? 0 : 1;
  } finally {
    await stack.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
