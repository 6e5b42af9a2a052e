// `picflow delete` on the data directory, with no `picflow dev` running: an image with indexed faces is
// deleted with its faces (the collection's files under the data directory are opened for it), not refused.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { deleteFromSource } from '../../cli/delete';
import { openImageSource } from '../../cli/image-source';
import { CollectionStore } from '../../local/rekognition/collections/collection-store';
import { LOCAL_FACE_COLLECTION } from '../../local/stack/local-names';
import { startLocalStack } from '../../local/stack/local-stack';
import type { ImageItem } from '../../tasks/shared/types';
import { tempDir } from '../e2e/support';

jest.setTimeout(240_000);

describe('picflow delete without picflow dev', () => {
  const data = tempDir('delete-local');
  const collectionsDir = () => join(data.path, 'rekognition', 'collections');
  let analysed: ImageItem;

  beforeAll(async () => {
    // Prepare: a photo analysed with its faces indexed, then the stack stopped
    const stack = await startLocalStack({
      dataDir: data.path,
      recover: false,
      rekognitionWorkers: 1,
      taskEnvironment: { ANALYSES: 'faces' },
    });
    try {
      const photo = readFileSync(join(__dirname, '..', 'fixtures', 'faces', 'family1-dad1.jpg'));
      await stack.clients.s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: 'uploads/dad.jpg', Body: photo }));
      const get = new GetCommand({ TableName: stack.tableName, Key: { imageId: `${stack.bucket}/uploads/dad.jpg` }, ConsistentRead: true });
      for (;;) {
        const item = (await stack.tasks.clients.dynamo.send(get)).Item as ImageItem | undefined;
        if (item?.status === 'SUCCEEDED') {
          analysed = item;
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      await stack.close();
    }
  });

  afterAll(() => data.remove());

  const storedFaceIds = async () => {
    const store = await CollectionStore.open(collectionsDir());
    try {
      return [...(store.collections.get(LOCAL_FACE_COLLECTION)?.faces.keys() ?? [])];
    } finally {
      await store.close();
    }
  };

  it('deletes an image with indexed faces, its faces with it', async () => {
    // Prepare: the premise, faces in the collection's files
    expect(analysed.faceIndex?.size).toBeGreaterThan(0);
    expect((await storedFaceIds()).length).toBeGreaterThan(0);

    // Act
    const source = await openImageSource(data.path);
    let deleted: string;
    let item: unknown;
    try {
      deleted = await deleteFromSource(source, 'dad.jpg');
      item = (await source.dynamodb.send(new GetCommand({ TableName: source.tableName, Key: { imageId: deleted }, ConsistentRead: true })))
        .Item;
    } finally {
      await source.close();
    }

    // Assess
    expect(deleted).toBe(analysed.imageId);
    expect(item).toBeUndefined();
    expect(await storedFaceIds()).toEqual([]);
  });
});
