// A burst on the real local stack with the analyzer held to 0.3 TPS per operation, far below what a
// dozen executions at once ask for: the throttling retriers must wait it out, so every image ends
// SUCCEEDED and none PARTIAL or FAILED, and the quota must really have refused calls on the way.
import { isLabelEntryId } from '../../tasks/shared/image-indexes';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import sharp from 'sharp';
import { startLocalStack } from '../../local/stack/local-stack';
import type { ExecutionRecord } from '../../local/engine/execution-store';
import { fixturePath, tempDir } from './support';

jest.setTimeout(180_000);

const UPLOADS = 12;
const RETRY_WAIT_MS = { DetectFaces: 2000, DetectLabelsAndText: 2000, DetectModerationLabels: 2000 };

/** Small JPEGs (fast models), each a different crop so no two are the same picture. */
async function smallImages(): Promise<Buffer[]> {
  const sources = ['astronaut.png', 'chelsea.png', 'coffee.png'];
  return Promise.all(
    Array.from({ length: UPLOADS }, (_, i) =>
      sharp(fixturePath(sources[i % sources.length]))
        .extract({ left: 10 * i, top: 0, width: 280, height: 280 })
        .resize(160, 160)
        .jpeg({ quality: 85 })
        .toBuffer(),
    ),
  );
}

describe('Burst at a quota far below demand', () => {
  it(`ends ${UPLOADS} uploads at 0.3 TPS per Rekognition operation with every image SUCCEEDED`, async () => {
    // Prepare: every upload runs at once; each Rekognition operation allows a call every 3.3 s
    const data = tempDir('e2e-burst');
    const stack = await startLocalStack({
      dataDir: data.path,
      rekognitionWorkers: 1,
      concurrency: UPLOADS,
      rekognitionTps: 0.3,
      // Every retry of an analysis waits 2 s instead of up to 120 s, so the test takes a minute,
      // not the quarter hour FULL jitter can take; the number of attempts is still the definition's.
      retryIntervalOverrides: RETRY_WAIT_MS,
    });
    try {
      const images = await smallImages();
      const finished: ExecutionRecord[] = [];
      const allFinished = new Promise<void>((resolve) =>
        stack.runner.on('finished', (record) => {
          finished.push(record);
          if (finished.length === UPLOADS) resolve();
        }),
      );
      const started = performance.now();

      // Act
      await Promise.all(
        images.map((body, i) =>
          stack.clients.s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: `uploads/burst-${i}.jpg`, Body: body })),
        ),
      );
      await allFinished;
      const seconds = (performance.now() - started) / 1000;

      // Assess
      const { Items = [] } = await DynamoDBDocumentClient.from(stack.clients.dynamodb).send(
        new ScanCommand({ TableName: stack.tableName }),
      );
      // Image items only: the label-entry items of the query index share the table.
      const statuses = Items.filter((item) => !isLabelEntryId(String(item.imageId))).map((item) => item.status as string);
      const retried = finished.flatMap((r) => r.events).filter((e) => e.type === 'StateRetried').length;
      const throttled = Object.values(stack.quota.stats()).reduce((sum, c) => sum + (c?.throttled ?? 0), 0);
      console.log(
        `burst: ${UPLOADS} uploads in ${seconds.toFixed(1)} s, ${throttled} calls refused by the quota, ${retried} retries`,
        stack.quota.stats(),
      );

      expect(finished.map((r) => r.status)).toEqual(Array(UPLOADS).fill('SUCCEEDED'));
      expect(statuses).toEqual(Array(UPLOADS).fill('SUCCEEDED'));
      expect(throttled).toBeGreaterThan(0);
      expect(retried).toBeGreaterThan(0);
    } finally {
      await stack.close();
      data.remove();
    }
  });
});
