// End to end on the local stack, with real parts only: the local S3 store, dynalite, the local SQS, the
// Rekognition-compatible server on real models, THE definition in the local engine, and the real
// task handlers. Real images in, stored items, thumbnails and dead letters out.
import { readFileSync } from 'node:fs';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import sharp from 'sharp';
import { analyze } from '../../cli/analyze';
import { replayLocally } from '../../cli/replay';
import { startLocalStack } from '../../local/stack/local-stack';
import type { AnalyzedImage } from '../../cli/summary-table';
import type { ExecutionRecord } from '../../local/engine/execution-store';
import type { DeadLetterMessage, ImageItem } from '../../tasks/shared/types';
import { fixturePath, tempDir, writeFile, writeTwoFaces } from './support';

jest.setTimeout(240_000);

function byFile(results: AnalyzedImage[], file: string): ImageItem {
  const result = results.find((r) => r.file === file);
  if (!result?.item) throw new Error(`no item for ${file}: ${result?.error}`);
  return result.item;
}

describe('Local pipeline, end to end', () => {
  const data = tempDir('e2e');
  const inputs = tempDir('e2e-inputs');
  let results: AnalyzedImage[];

  beforeAll(async () => {
    const files = [
      fixturePath('astronaut.png'),
      fixturePath('coffee.png'),
      fixturePath('chelsea.png'),
      fixturePath('page.png'),
      await writeTwoFaces(inputs.path),
      fixturePath('truncated.jpg'),
      writeFile(inputs.path, 'empty.jpg', ''),
      writeFile(inputs.path, 'notes.png', 'these are notes, not an image\n'),
    ];
    results = await analyze(files, data.path, { workers: 2 });
  });

  afterAll(() => {
    data.remove();
    inputs.remove();
  });

  it('finds one happy face on the astronaut', () => {
    const item = byFile(results, 'astronaut.png');
    expect(item.status).toBe('SUCCEEDED');
    expect(item.faces).toHaveLength(1);
    expect(item.faces?.[0].dominantEmotion).toBe('HAPPY');
    expect(item.faces?.[0].ageRange?.low).toBeLessThanOrEqual(item.faces?.[0].ageRange?.high ?? 0);
    expect(item.moderation?.verdict).toBe('safe');
  });

  it('finds a cup on the coffee photo and a cat on chelsea', () => {
    expect(byFile(results, 'coffee.png').labels?.map((l) => l.name)).toContain('Cup');
    expect(byFile(results, 'chelsea.png').labels?.map((l) => l.name)).toContain('Cat');
  });

  it('reads text lines on the scanned page', () => {
    const text = (byFile(results, 'page.png').text ?? []).map((t) => t.text).join(' ');
    expect(text.length).toBeGreaterThan(20);
    expect(text).toMatch(/[A-Za-z]{4,}/);
  });

  it('finds both faces on a two-person photo', () => {
    expect(byFile(results, 'two-astronauts.jpg').faces).toHaveLength(2);
  });

  it('stores items with the documented schema and thumbnails that decode', async () => {
    const stack = await startLocalStack({ dataDir: data.path, recover: false, rekognitionWorkers: 1 });
    try {
      for (const file of ['astronaut.png', 'coffee.png', 'two-astronauts.jpg']) {
        const item = byFile(results, file);
        expect(item).toMatchObject({
          bucket: 'picflow-local',
          key: `uploads/${file}`,
          analyzer: expect.stringContaining('picflow-local'),
          executionId: expect.stringContaining(':execution:'),
        });
        expect(Object.values(item.branches ?? {}).map((b) => b.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
        expect(item.thumbnails?.map((t) => t.name)).toEqual(['cover-128x128', 'inside-512x512']);
        for (const thumbnail of item.thumbnails ?? []) {
          const object = await stack.clients.s3.send(new GetObjectCommand({ Bucket: item.bucket, Key: thumbnail.key }));
          const metadata = await sharp(Buffer.from(await object.Body!.transformToByteArray())).metadata();
          expect({ format: metadata.format, width: metadata.width, height: metadata.height }).toEqual({
            format: 'jpeg',
            width: thumbnail.width,
            height: thumbnail.height,
          });
        }
        for (const ref of Object.values(item.rawResults ?? {})) {
          const [, bucket, key] = /^s3:\/\/([^/]+)\/(.+)$/.exec(ref!)!;
          await expect(stack.clients.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).resolves.toBeDefined();
        }
      }
    } finally {
      await stack.close();
    }
  });

  it.each([
    ['truncated.jpg', /CORRUPT/],
    ['empty.jpg', /EMPTY/],
    ['notes.png', /UNSUPPORTED_FORMAT/],
  ])('records %s as FAILED with a readable reason', (file, reason) => {
    const item = byFile(results, file);
    expect(item.status).toBe('FAILED');
    expect(item.statusReason).toMatch(reason);
    expect(item.failure?.state).toBe('ValidateImage');
  });

  it('sends one dead letter per failed image, carrying the original event', async () => {
    const stack = await startLocalStack({ dataDir: data.path, recover: false, rekognitionWorkers: 1 });
    try {
      const { Messages = [] } = await stack.clients.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: stack.queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }),
      );
      const letters = Messages.map((m) => JSON.parse(m.Body!) as DeadLetterMessage);
      expect(letters.map((l) => l.key).sort()).toEqual(['uploads/empty.jpg', 'uploads/notes.png', 'uploads/truncated.jpg']);
      for (const letter of letters) {
        expect(letter.originalEvent).toMatchObject({ source: 'aws.s3', 'detail-type': 'Object Created' });
        expect(letter.failures[0]).toMatchObject({ state: 'ValidateImage', error: 'ImageValidationError' });
      }
    } finally {
      await stack.close();
    }
  });
});

describe('Local pipeline: retries and replay', () => {
  it('retries injected throttling and succeeds', async () => {
    const data = tempDir('e2e-throttle');
    // Face indexing off: the faces branch calls DetectFaces, the operation the faults throttle (IndexFaces has none locally).
    const stack = await startLocalStack({
      dataDir: data.path,
      rekognitionWorkers: 1,
      faults: { DetectFaces: { throttle: 2 } },
      taskEnvironment: { FACE_INDEXING: 'false' },
    });
    try {
      const finished = new Promise<ExecutionRecord>((resolve) => stack.runner.once('finished', resolve));
      await stack.clients.s3.send(
        new PutObjectCommand({ Bucket: stack.bucket, Key: 'uploads/astronaut.png', Body: readFileSync(fixturePath('astronaut.png')) }),
      );
      const record = await finished;
      expect(record.status).toBe('SUCCEEDED');
      const retried = record.events.filter(
        (e) => e.type === 'StateRetried' && (e as { state: { name: string } }).state.name === 'DetectFaces',
      );
      expect(retried).toHaveLength(2);
    } finally {
      await stack.close();
      data.remove();
    }
  });

  it('keeps the labels and colours when only DetectText fails for good: PARTIAL, the reason names DetectText', async () => {
    // Prepare: the local Rekognition refuses every DetectText call with a permanent error
    const data = tempDir('e2e-half');
    process.env.PICFLOW_FAULTS = JSON.stringify({ DetectText: { fail: 'InvalidParameterException' } });
    let results: AnalyzedImage[];
    try {
      // Act
      results = await analyze([fixturePath('chelsea.png')], data.path, { workers: 1 });
    } finally {
      delete process.env.PICFLOW_FAULTS;
      data.remove();
    }

    // Assess
    const item = results[0].item!;
    expect(item.status).toBe('PARTIAL');
    expect(item.labels?.map((l) => l.name)).toContain('Cat');
    expect(item.text).toBeUndefined();
    expect(item.statusReason).toMatch(/^PARTIAL: DetectLabelsAndText \(DetectText\) failed: Rekognition\.InvalidParameterException/);
    expect(item.branches?.labelsAndText).toMatchObject({ status: 'SUCCEEDED', error: 'DetectText: Rekognition.InvalidParameterException' });
    expect(item.rawResults?.labels).toBeDefined();
    // DetectLabels' IMAGE_PROPERTIES (on by default) came with the kept half: chelsea is a brown cat
    expect(item.colors?.length).toBeGreaterThan(0);
    expect(item.colors?.map((c) => c.simplified)).toContain('brown');
    expect(item.imageQuality?.brightness).toBeGreaterThan(0);
  });

  it('picflow replay turns a dead letter into a SUCCEEDED item and deletes the message', async () => {
    // Prepare: a permanent analyzer fault makes the image PARTIAL and dead-lettered
    const data = tempDir('e2e-replay');
    process.env.PICFLOW_FAULTS = JSON.stringify({ DetectModerationLabels: { fail: 'InvalidParameterException' } });
    let first: AnalyzedImage[];
    try {
      first = await analyze([fixturePath('chelsea.png')], data.path, { workers: 1 });
    } finally {
      delete process.env.PICFLOW_FAULTS;
    }
    expect(first[0].item?.status).toBe('PARTIAL');
    expect(first[0].item?.moderation?.verdict).toBe('unavailable');

    // Act: the fault is gone; replay
    const outcomes = await replayLocally(data.path);

    // Assess
    expect(outcomes.map((o) => o.status)).toEqual(['SUCCEEDED']);
    const stack = await startLocalStack({ dataDir: data.path, recover: false, rekognitionWorkers: 1 });
    try {
      const attributes = await stack.clients.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: stack.queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
      );
      expect(attributes.Attributes?.ApproximateNumberOfMessages).toBe('0');
      const { Item } = await DynamoDBDocumentClient.from(stack.clients.dynamodb).send(
        new GetCommand({ TableName: stack.tableName, Key: { imageId: 'picflow-local/uploads/chelsea.png' } }),
      );
      expect(Item).toMatchObject({ status: 'SUCCEEDED', moderation: { verdict: 'safe' } });
    } finally {
      await stack.close();
      data.remove();
    }
  });
});
