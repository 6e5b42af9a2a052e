// The face collection end to end on the local stack (its S3, DynamoDB, THE definition, the real tasks,
// the local Rekognition with its collections): an upload's faces are indexed and their FaceIds stored on
// the item; a named person is tagged on a later photo of them; a new version of the object replaces its
// faces in the collection; deleting the image deletes its faces.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AssociateFacesCommand, CreateUserCommand, ListFacesCommand } from '@aws-sdk/client-rekognition';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { run as runImages } from '../../api/images/handler';
import { LOCAL_FACE_COLLECTION } from '../../local/stack/local-names';
import { startLocalStack, type LocalStack } from '../../local/stack/local-stack';
import { decodeExternalImageId, putPersonName } from '../../tasks/shared/faces';
import type { ImageItem } from '../../tasks/shared/types';
import { apiEvent } from '../api/events';
import { tempDir } from './support';

jest.setTimeout(240_000);

const FACES = join(__dirname, '..', 'fixtures', 'faces');
const photo = (name: string) => readFileSync(join(FACES, name));

describe('Face collection on the local stack', () => {
  const data = tempDir('faces');
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startLocalStack({ dataDir: data.path, recover: false, rekognitionWorkers: 1, taskEnvironment: { ANALYSES: 'faces' } });
  });

  afterAll(async () => {
    await stack?.close();
    data.remove();
  });

  const item = async (imageId: string) =>
    (await stack.tasks.clients.dynamo.send(new GetCommand({ TableName: stack.tableName, Key: { imageId }, ConsistentRead: true }))).Item as
      | ImageItem
      | undefined;

  /** Uploads and waits for the result of this very upload (its ETag on a final item). */
  async function upload(key: string, body: Buffer): Promise<ImageItem> {
    const { ETag } = await stack.clients.s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: key, Body: body }));
    const imageId = `${stack.bucket}/${key}`;
    for (;;) {
      const found = await item(imageId);
      if (found && found.etag === ETag?.replaceAll('"', '') && ['SUCCEEDED', 'PARTIAL', 'FAILED'].includes(found.status)) return found;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  const collectionFaces = async () =>
    (await stack.tasks.clients.rekognition.send(new ListFacesCommand({ CollectionId: LOCAL_FACE_COLLECTION, MaxResults: 4096 }))).Faces ??
    [];

  it('indexes, tags a named person, replaces faces with a new version and deletes them with the image', async () => {
    // Act: a photo of dad
    const first = await upload('uploads/dad.jpg', photo('family1-dad1.jpg'));

    // Assess: its faces are in the collection under the image's ExternalImageId, and on the item
    expect(first.status).toBe('SUCCEEDED');
    const firstIds = (first.faces ?? []).map((f) => f.faceId).filter(Boolean) as string[];
    expect(firstIds.length).toBeGreaterThan(0);
    expect([...(first.faceIndex ?? [])].sort()).toEqual([...firstIds].sort());
    const indexed = await collectionFaces();
    expect(indexed.map((f) => f.FaceId).sort()).toEqual([...firstIds].sort());
    expect(indexed.every((f) => decodeExternalImageId(f.ExternalImageId!) === first.imageId)).toBe(true);

    // Act: name dad from that face, then upload another photo of him
    await stack.tasks.clients.rekognition.send(new CreateUserCommand({ CollectionId: LOCAL_FACE_COLLECTION, UserId: 'person-dad' }));
    await stack.tasks.clients.rekognition.send(
      new AssociateFacesCommand({ CollectionId: LOCAL_FACE_COLLECTION, UserId: 'person-dad', FaceIds: [firstIds[0]!] }),
    );
    await putPersonName(stack.tasks.clients.dynamo, stack.tableName, { userId: 'person-dad', name: 'Dad' });
    const later = await upload('uploads/dad-again.jpg', photo('family1-dad2.jpg'));

    // Assess: tagged
    expect(later.people).toEqual([expect.objectContaining({ userId: 'person-dad', name: 'Dad', similarity: expect.any(Number) })]);

    // Act: a new version of dad.jpg (another person's photo under the same key)
    const replaced = await upload('uploads/dad.jpg', photo('family2-lady1.jpg'));

    // Assess: only the new version's faces remain for that image, the old ones (one of them a user's) are gone
    const replacedIds = (replaced.faces ?? []).map((f) => f.faceId).filter(Boolean) as string[];
    expect(replacedIds.length).toBeGreaterThan(0);
    // StoreResult writes the item first and deletes the old faces right after, in the same task: the item can read
    // SUCCEEDED a moment before that ends (seen under load), so the collection is read until the task is done.
    const ofFirst = async () =>
      (await collectionFaces())
        .filter((f) => decodeExternalImageId(f.ExternalImageId!) === first.imageId)
        .map((f) => f.FaceId)
        .sort();
    let afterReplace = await ofFirst();
    for (let i = 0; i < 100 && afterReplace.length !== replacedIds.length; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      afterReplace = await ofFirst();
    }
    expect(afterReplace).toEqual([...replacedIds].sort());
    // faceIndex shrinks last (after the deletes), so it is read until it does.
    const indexOfFirst = async () => [...((await item(first.imageId))?.faceIndex ?? [])].sort();
    let faceIndex = await indexOfFirst();
    for (let i = 0; i < 100 && faceIndex.length !== replacedIds.length; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      faceIndex = await indexOfFirst();
    }
    expect(faceIndex).toEqual([...replacedIds].sort());

    // Act: delete both images through the API's handler
    const deps = { ...stack.tasks, bucket: stack.bucket };
    for (const imageId of [first.imageId, later.imageId]) {
      const response = await runImages(apiEvent('DELETE /images/{imageId+}', { pathParameters: { imageId } }), deps);
      expect(response.statusCode).toBe(204);
    }

    // Assess: no face of either image is left in the collection
    expect(await collectionFaces()).toEqual([]);
  });
});
