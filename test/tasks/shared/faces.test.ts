import 'aws-sdk-client-mock-jest';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteFacesCommand, DisassociateFacesCommand, RekognitionClient } from '@aws-sdk/client-rekognition';
import { BatchGetCommand, DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import {
  EXTERNAL_IMAGE_ID_PATTERN,
  MAX_EXTERNAL_IMAGE_ID,
  decodeExternalImageId,
  deleteCollectionFaces,
  deleteImageFaces,
  externalImageId,
  isHashedExternalImageId,
  personNames,
  putPersonName,
  recordFaceIds,
  rememberExternalImageId,
  resolveExternalImageId,
  syncFaceIndex,
} from '../../../tasks/shared/faces';
import { conditionFailed } from './factories';

const ddb = mockClient(DynamoDBDocumentClient);
const rekognition = mockClient(RekognitionClient);
const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const client = new RekognitionClient({ region: 'us-east-1' });
const TABLE = 'images';
const COLLECTION = 'picflow-faces';
const IMAGE = { imageId: 'bucket/uploads/cat.jpg', sequencerKey: '0000000000000000000062E99A88DC407460' };

beforeEach(() => {
  ddb.reset();
  rekognition.reset();
});

describe('externalImageId', () => {
  const hostile = [
    'bucket/uploads/cat.jpg',
    'bucket/uploads/a b+c%20d.png',
    'bucket/uploads/_already_2F_escaped:colon.jpg',
    'bucket/uploads/日本語の写真.jpg',
    'bucket/uploads/emoji 😀👍🏽.png',
    'bucket/uploads/../../etc/passwd',
    'bucket/uploads/new\nline\ttab\u0000nul.jpg',
    'bucket/uploads/a-b.c',
    `bucket/uploads/${'x'.repeat(240)}`,
    `bucket/uploads/${'very long folder/'.repeat(60)}photo.jpg`,
    `bucket/uploads/${'é'.repeat(200)}`,
  ];

  it.each(hostile.map((id) => [JSON.stringify(id).slice(0, 60), id]))('%s maps into [a-zA-Z0-9_.\\-:]+, at most 255, and back', (_, id) => {
    // Act
    const external = externalImageId(id);

    // Assess
    expect(external).toMatch(EXTERNAL_IMAGE_ID_PATTERN);
    expect(external.length).toBeLessThanOrEqual(MAX_EXTERNAL_IMAGE_ID);
    if (isHashedExternalImageId(external)) expect(decodeExternalImageId(external)).toBeUndefined();
    else expect(decodeExternalImageId(external)).toBe(id);
  });

  it('keeps short keys readable and hashes keys too long to escape, distinctly', () => {
    // Act & Assess
    expect(externalImageId('bucket/uploads/cat 1.jpg')).toBe('bucket_2Fuploads_2Fcat_201.jpg');
    const long = externalImageId(`bucket/${'a'.repeat(300)}`);
    expect(long).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(externalImageId(`bucket/${'a'.repeat(301)}`)).not.toBe(long);
    // A key that escapes to the same characters as another's escape: the escape character itself is escaped.
    expect(externalImageId('b/_2F')).not.toBe(externalImageId('b//'));
  });

  it('remembers a hashed id in the table and resolves it back; escaped ids need no lookup', async () => {
    // Prepare
    const longId = `bucket/${'写真'.repeat(100)}`;
    ddb.on(PutCommand).resolves({});
    ddb.on(GetCommand).resolves({ Item: { imageId: `#external/${externalImageId(longId)}`, imageOf: longId } });

    // Act
    const stored = await rememberExternalImageId(dynamo, TABLE, longId);
    const resolved = await resolveExternalImageId(dynamo, TABLE, stored);
    const short = await resolveExternalImageId(dynamo, TABLE, externalImageId('bucket/cat.jpg'));

    // Assess
    expect(ddb).toHaveReceivedCommandWith(PutCommand, { TableName: TABLE, Item: { imageId: `#external/${stored}`, imageOf: longId } });
    expect(resolved).toBe(longId);
    expect(short).toBe('bucket/cat.jpg');
    expect(ddb).toHaveReceivedCommandTimes(GetCommand, 1);
  });
});

describe('recordFaceIds', () => {
  it('adds the ids to faceIndex only while the item holds this version', async () => {
    // Prepare
    ddb.on(UpdateCommand).resolves({});

    // Act
    const outcome = await recordFaceIds(dynamo, TABLE, IMAGE, ['f1', 'f2']);

    // Assess
    expect(outcome).toBe('RECORDED');
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      Key: { imageId: IMAGE.imageId },
      UpdateExpression: 'ADD #faceIndex :faceIds',
      ConditionExpression: '#sequencerKey = :ifSequencerKey',
      ExpressionAttributeValues: { ':faceIds': new Set(['f1', 'f2']), ':ifSequencerKey': IMAGE.sequencerKey },
    });
  });

  it('answers SUPERSEDED when a newer version owns the item', async () => {
    // Prepare
    ddb.on(UpdateCommand).rejects(conditionFailed());

    // Act & Assess
    await expect(recordFaceIds(dynamo, TABLE, IMAGE, ['f1'])).resolves.toBe('SUPERSEDED');
  });
});

describe('deleteCollectionFaces', () => {
  it('disassociates faces that belong to a user, then deletes them', async () => {
    // Prepare
    rekognition
      .on(DeleteFacesCommand)
      .resolvesOnce({
        DeletedFaces: ['f1'],
        UnsuccessfulFaceDeletions: [{ FaceId: 'f2', UserId: 'person-1', Reasons: ['ASSOCIATED_TO_AN_EXISTING_USER'] }],
      })
      .resolvesOnce({ DeletedFaces: ['f2'], UnsuccessfulFaceDeletions: [] });
    rekognition.on(DisassociateFacesCommand).resolves({});

    // Act
    await deleteCollectionFaces(client, COLLECTION, ['f1', 'f2', 'f1']);

    // Assess
    expect(rekognition).toHaveReceivedNthCommandWith(1, DeleteFacesCommand, { CollectionId: COLLECTION, FaceIds: ['f1', 'f2'] });
    expect(rekognition).toHaveReceivedCommandWith(DisassociateFacesCommand, {
      CollectionId: COLLECTION,
      UserId: 'person-1',
      FaceIds: ['f2'],
    });
    expect(rekognition).toHaveReceivedNthCommandWith(3, DeleteFacesCommand, { CollectionId: COLLECTION, FaceIds: ['f2'] });
  });

  it('fails with the renamed error when Rekognition throttles (the caller retries)', async () => {
    // Prepare
    rekognition.on(DeleteFacesCommand).rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));

    // Act & Assess
    await expect(deleteCollectionFaces(client, COLLECTION, ['f1'])).rejects.toMatchObject({ name: 'Rekognition.ThrottlingException' });
  });
});

describe('syncFaceIndex', () => {
  it('deletes the listed faces the stored result does not keep, then drops them from faceIndex', async () => {
    // Prepare
    ddb.on(UpdateCommand).resolves({ Attributes: { faceIndex: new Set(['old-1', 'old-2', 'new-1']) } });
    rekognition.on(DeleteFacesCommand).resolves({ DeletedFaces: ['old-1', 'old-2'] });

    // Act
    const outcome = await syncFaceIndex({ dynamo, rekognition: client }, TABLE, COLLECTION, IMAGE, ['new-1']);

    // Assess
    expect(outcome).toBe('SYNCED');
    expect(rekognition).toHaveReceivedCommandWith(DeleteFacesCommand, { CollectionId: COLLECTION, FaceIds: ['old-1', 'old-2'] });
    expect(ddb).toHaveReceivedNthCommandWith(1, UpdateCommand, { ConditionExpression: '#sequencerKey = :ifSequencerKey' });
    expect(ddb).toHaveReceivedNthCommandWith(2, UpdateCommand, {
      UpdateExpression: 'DELETE #faceIndex :stale',
      ExpressionAttributeValues: { ':stale': new Set(['old-1', 'old-2']) },
    });
  });

  it('deletes nothing when a newer version owns the item (its own sync owns the faces)', async () => {
    // Prepare
    ddb.on(UpdateCommand).rejects(conditionFailed());

    // Act
    const outcome = await syncFaceIndex({ dynamo, rekognition: client }, TABLE, COLLECTION, IMAGE, []);

    // Assess
    expect(outcome).toBe('SUPERSEDED');
    expect(rekognition).not.toHaveReceivedCommand(DeleteFacesCommand);
  });

  it('keeps faceIndex when DeleteFaces fails, so the next sync or delete finds the faces again', async () => {
    // Prepare
    ddb.on(UpdateCommand).resolves({ Attributes: { faceIndex: new Set(['old-1']) } });
    rekognition
      .on(DeleteFacesCommand)
      .rejects(Object.assign(new Error('down'), { name: 'InternalServerError', $metadata: { httpStatusCode: 500 } }));

    // Act & Assess
    await expect(syncFaceIndex({ dynamo, rekognition: client }, TABLE, COLLECTION, IMAGE, [])).rejects.toMatchObject({
      name: 'Rekognition.ServiceUnavailable',
    });
    expect(ddb).toHaveReceivedCommandTimes(UpdateCommand, 1);
  });
});

describe('deleteImageFaces', () => {
  it('deletes every face the item lists and its #external entry', async () => {
    // Prepare
    rekognition.on(DeleteFacesCommand).resolves({});
    ddb.on(DeleteCommand).resolves({});
    const item = {
      imageId: 'bucket/long',
      faceIndex: new Set(['a', 'b']),
      faces: [{ faceId: 'c', box: { left: 0, top: 0, width: 1, height: 1 }, confidence: 99, emotions: [] }],
      externalImageId: `sha256:${'0'.repeat(64)}`,
    };

    // Act
    await deleteImageFaces({ dynamo, rekognition: client }, TABLE, COLLECTION, item);

    // Assess
    expect(rekognition).toHaveReceivedCommandWith(DeleteFacesCommand, { CollectionId: COLLECTION, FaceIds: ['a', 'b', 'c'] });
    expect(ddb).toHaveReceivedCommandWith(DeleteCommand, { Key: { imageId: `#external/sha256:${'0'.repeat(64)}` } });
  });

  it('refuses when the item has faces but no collection is configured', async () => {
    // Act & Assess
    await expect(deleteImageFaces({ dynamo }, TABLE, undefined, { imageId: 'bucket/x', faceIndex: new Set(['a']) })).rejects.toThrow(
      /1 indexed faces but no face collection/,
    );
  });
});

describe('people names', () => {
  it('stores a name under #person/ and reads names back in one BatchGetItem', async () => {
    // Prepare
    ddb.on(PutCommand).resolves({});
    ddb.on(BatchGetCommand).resolves({ Responses: { [TABLE]: [{ imageId: '#person/u1', userId: 'u1', personName: 'Ada' }] } });

    // Act
    await putPersonName(dynamo, TABLE, { userId: 'u1', name: 'Ada' });
    const names = await personNames(dynamo, TABLE, ['u1', 'u2', 'u1']);

    // Assess
    expect(ddb).toHaveReceivedCommandWith(PutCommand, { Item: { imageId: '#person/u1', userId: 'u1', personName: 'Ada' } });
    expect(ddb).toHaveReceivedCommandWith(BatchGetCommand, {
      RequestItems: { [TABLE]: { Keys: [{ imageId: '#person/u1' }, { imageId: '#person/u2' }], ConsistentRead: true } },
    });
    expect([...names]).toEqual([['u1', 'Ada']]);
  });
});
