// StoreResult and RecordFailure keep the face collection in step with the item: the faces the stored
// result lists stay, a previous version's (or a failed attempt's) are deleted. DynamoDB and Rekognition mocked.
import 'aws-sdk-client-mock-jest';
import { DeleteFacesCommand, RekognitionClient } from '@aws-sdk/client-rekognition';
import { DynamoDBDocumentClient, GetCommand, type UpdateCommandInput, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { handler as recordFailure } from '../../../tasks/record-failure/handler';
import { handler as storeResult } from '../../../tasks/store-result/handler';
import {
  conditionFailed,
  facesOk,
  labelsAndTextOk,
  moderationOk,
  recordFailureInput,
  storeInput,
  thumbnailsOk,
  useTaskEnvironment,
} from '../shared/factories';

const ddb = mockClient(DynamoDBDocumentClient);
const rekognition = mockClient(RekognitionClient);
const NOW = new Date('2024-05-01T10:00:09.000Z');
const COLLECTION = 'picflow-faces';

/** The item's faceIndex as the sync's read sees it; every other update succeeds. */
function itemListing(faceIndex: string[]): void {
  ddb
    .on(UpdateCommand)
    .callsFake((input: UpdateCommandInput) =>
      input.ReturnValues === 'ALL_NEW' &&
      input.UpdateExpression === 'SET #sequencerKey = #sequencerKey' &&
      !input.ExpressionAttributeNames?.['#labelIndex']
        ? { Attributes: { faceIndex: new Set(faceIndex) } }
        : {},
    );
}

function facesWithIds(...faceIds: string[]) {
  const faces = facesOk(faceIds.map(() => 'HAPPY'));
  faces.faces = faces.faces!.map((face, i) => ({ ...face, faceId: faceIds[i] }));
  return faces;
}

describe('StoreResult with a face collection', () => {
  useTaskEnvironment(ddb, NOW, { TABLE_NAME: 'images', FACE_COLLECTION_ID: COLLECTION });
  beforeEach(() => {
    rekognition.reset();
    rekognition.on(DeleteFacesCommand).resolves({});
  });
  afterAll(() => delete process.env.FACE_COLLECTION_ID);

  it("deletes the previous version's faces once the new ones are stored, keeping the new ones", async () => {
    // Prepare
    itemListing(['old-1', 'old-2', 'new-1', 'new-2']);

    // Act
    const result = await storeResult(
      storeInput({ branches: [thumbnailsOk(), facesWithIds('new-1', 'new-2'), labelsAndTextOk(), moderationOk()] }),
    );

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(rekognition).toHaveReceivedCommandTimes(DeleteFacesCommand, 1);
    expect(rekognition).toHaveReceivedCommandWith(DeleteFacesCommand, { CollectionId: COLLECTION, FaceIds: ['old-1', 'old-2'] });
    const store = ddb.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(store.ExpressionAttributeValues?.[':faces']).toEqual([
      expect.objectContaining({ faceId: 'new-1' }),
      expect.objectContaining({ faceId: 'new-2' }),
    ]);
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, { UpdateExpression: 'DELETE #faceIndex :stale' });
  });

  it('deletes the faces an attempt indexed when its faces branch then failed (PARTIAL keeps no faces)', async () => {
    // Prepare
    itemListing(['orphan-1']);
    const failedFaces = { branch: 'faces' as const, status: 'FAILED' as const, failure: { Error: 'S3.ThrottlingException' } };

    // Act
    const result = await storeResult(storeInput({ branches: [thumbnailsOk(), failedFaces, labelsAndTextOk(), moderationOk()] }));

    // Assess
    expect(result.status).toBe('PARTIAL');
    expect(rekognition).toHaveReceivedCommandWith(DeleteFacesCommand, { FaceIds: ['orphan-1'] });
  });

  it('deletes nothing when the result was SUPERSEDED (the newer version owns the faces)', async () => {
    // Prepare
    ddb.on(UpdateCommand).rejects(conditionFailed());
    // The refused write's read finds the newer version's item (not a delete).
    ddb.on(GetCommand).resolves({ Item: { imageId: 'newer' } });

    // Act
    const result = await storeResult(storeInput({ branches: [thumbnailsOk(), facesWithIds('new-1'), labelsAndTextOk(), moderationOk()] }));

    // Assess
    expect(result.status).toBe('SUPERSEDED');
    expect(rekognition).not.toHaveReceivedCommand(DeleteFacesCommand);
  });
});

describe('RecordFailure with a face collection', () => {
  useTaskEnvironment(ddb, NOW, { TABLE_NAME: 'images', FACE_COLLECTION_ID: COLLECTION });
  beforeEach(() => {
    rekognition.reset();
    rekognition.on(DeleteFacesCommand).resolves({});
  });
  afterAll(() => delete process.env.FACE_COLLECTION_ID);

  it('deletes every face the item lists once it is marked FAILED: a failed execution leaves no orphan FaceIds', async () => {
    // Prepare
    itemListing(['indexed-before-failing', 'previous-version']);

    // Act
    const result = await recordFailure(recordFailureInput());

    // Assess
    expect(result.status).toBe('FAILED');
    expect(rekognition).toHaveReceivedCommandWith(DeleteFacesCommand, {
      CollectionId: COLLECTION,
      FaceIds: ['indexed-before-failing', 'previous-version'],
    });
  });
});
