// A delete (DELETE /images, or the clean-up after a delete in S3) that lands while the image's analysis
// still runs, with the interleaving fixed step by step on the real local engines (dynalite and the local
// S3): the late StoreResult must not bring the item back, and removes the objects its execution wrote.
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { deleteImage } from '../../../api/images/delete-image';
import { startS3Server, type S3Server } from '../../../local/s3/s3-server';
import { claimImage } from '../../../tasks/claim-image/claim-image';
import { storeResult } from '../../../tasks/store-result/store-result';
import { createTaskClients, type TaskDeps } from '../../../tasks/shared/aws-clients';
import { loadConfig } from '../../../tasks/shared/config';
import { labelEntryId } from '../../../tasks/shared/image-indexes';
import { imageKey } from '../../../tasks/shared/image-table';
import type { ImageItem } from '../../../tasks/shared/types';
import { tempDir } from '../../e2e/support';
import { createImageTable, startDynalite, type LocalDynamo } from '../../support/dynalite';
import { BUCKET, executionInput, storeInput, thumbnailsOk } from '../shared/factories';

const IMAGE_ID = `${BUCKET}/uploads/cat.jpg`;

describe('StoreResult after a delete during the analysis (real engines, fixed interleaving)', () => {
  const data = tempDir('delete-race');
  let dynamo: LocalDynamo;
  let s3Server: S3Server;
  let deps: TaskDeps & { clients: { destroy(): void } };

  const exists = (Key: string) =>
    deps.clients.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key })).then(
      () => true,
      (error) => (error.name === 'NotFound' ? false : Promise.reject(error)),
    );
  const readItem = async () =>
    (await deps.clients.dynamo.send(new GetCommand({ TableName: deps.config.tableName, Key: imageKey(IMAGE_ID), ConsistentRead: true })))
      .Item as ImageItem | undefined;

  beforeAll(async () => {
    dynamo = await startDynalite();
    s3Server = await startS3Server({ directory: data.path, buckets: [BUCKET] });
    const config = loadConfig({ TABLE_NAME: 'images', S3_FORCE_PATH_STYLE: 'true' });
    deps = {
      config,
      clients: createTaskClients(config, {
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        endpoints: { dynamodb: dynamo.endpoint, s3: s3Server.endpoint },
      }),
    };
    await createImageTable(dynamo, config.tableName);
  });

  afterAll(async () => {
    deps?.clients.destroy();
    await s3Server?.close();
    await dynamo?.stop();
    data.remove();
  });

  it('leaves the image deleted (no item, no label entries) and removes the thumbnails and raw results it wrote', async () => {
    // Prepare: claimed, the original uploaded and the branches' objects written, not stored yet
    const input = storeInput();
    await claimImage(executionInput(), deps);
    const written = thumbnailsOk().thumbnails!.map((t) => t.key);
    const rawKeys = ['faces', 'labels', 'text', 'moderation'].map((name) => `analysis/cat.jpg/${name}.json`);
    for (const Key of ['uploads/cat.jpg', ...written, ...rawKeys]) {
      await deps.clients.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: Key }));
    }
    // The delete runs now: it sees a PROCESSING item that names no derived object yet.
    await deleteImage({ imageId: IMAGE_ID, bucket: BUCKET, key: 'uploads/cat.jpg' }, deps.config.tableName, deps.clients);

    // Act: the late StoreResult
    const result = await storeResult(input, deps);

    // Assess
    expect(written.length).toBeGreaterThan(0);
    expect(result).toMatchObject({ status: 'SUPERSEDED', reason: expect.stringContaining('deleted during its analysis') });
    expect(result).not.toHaveProperty('deadLetter');
    expect(await readItem()).toBeUndefined();
    for (const Key of [...written, ...rawKeys]) expect([Key, await exists(Key)]).toEqual([Key, false]);
    const entry = await deps.clients.dynamo.send(
      new GetCommand({ TableName: deps.config.tableName, Key: imageKey(labelEntryId(IMAGE_ID, 'Label0')), ConsistentRead: true }),
    );
    expect(entry.Item).toBeUndefined();
  });
});
