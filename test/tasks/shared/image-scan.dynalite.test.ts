// scanImages on a real DynamoDB-compatible engine (dynalite): the query index's label entries share
// the images table (so do the face collection's #person/ and #external/ entries), and a scan for images
// must never return one, on any page, with or without a filter.
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { putPersonName, rememberExternalImageId } from '../../../tasks/shared/faces';
import { labelEntries } from '../../../tasks/shared/image-indexes';
import { allImages, scanImages } from '../../../tasks/shared/image-scan';
import { createImageTable, startDynalite, type LocalDynamo } from '../../support/dynalite';

const TABLE = 'picflow-scan-test';
let local: LocalDynamo;

/** An image item with two labels (so three label entries: Dog, its parent Animal, and Cat). */
function image(key: string, status: string) {
  return {
    imageId: `bucket/${key}`,
    key,
    status,
    uploadedAt: '2026-11-26T00:00:00.000Z',
    updatedAt: '2026-11-26T00:00:00.000Z',
    labels: [
      { name: 'Dog', confidence: 97, parents: ['Animal'], instances: [] },
      { name: 'Cat', confidence: 80, parents: [], instances: [] },
    ],
  };
}

beforeAll(async () => {
  // Prepare: two images and their label entries, written as StoreResult writes them
  local = await startDynalite();
  await createImageTable(local, TABLE);
  for (const item of [image('a.jpg', 'SUCCEEDED'), image('b.jpg', 'PROCESSING')]) {
    for (const written of [item, ...labelEntries(item)]) {
      await local.client.send(new PutItemCommand({ TableName: TABLE, Item: marshall(written, { removeUndefinedValues: true }) }));
    }
  }
  // The face collection's reserved entries: a person's name and a hashed ExternalImageId's way back
  const dynamo = DynamoDBDocumentClient.from(local.client);
  await putPersonName(dynamo, TABLE, { userId: 'person-1', name: 'Ada' });
  await rememberExternalImageId(dynamo, TABLE, `bucket/${'x'.repeat(300)}`);
});

afterAll(async () => {
  await local.stop();
});

describe('Function: scanImages', () => {
  it('returns the image items only, never a label, #person/ or #external/ entry, even one page at a time', async () => {
    // Act
    const pages: string[][] = [];
    for await (const page of scanImages(local.client, TABLE, { limit: 1 })) pages.push(page.map((item) => item.imageId));

    // Assess: 10 items read one per request, so some pages are empty (their item was a reserved entry)
    expect(pages.flat().sort()).toEqual(['bucket/a.jpg', 'bucket/b.jpg']);
    expect(pages.length).toBeGreaterThanOrEqual(10);
  });

  it("ANDs the caller's filter with the label-entry one", async () => {
    // Act
    const processing = await allImages(local.client, TABLE, {
      filter: { expression: '#status = :processing', names: { '#status': 'status' }, values: { ':processing': { S: 'PROCESSING' } } },
      consistentRead: true,
    });

    // Assess
    expect(processing.map((item) => [item.imageId, item.status])).toEqual([['bucket/b.jpg', 'PROCESSING']]);
  });
});
