// The faces branch with face indexing on (the default): IndexFaces instead of DetectFaces, the FaceIds
// recorded on the item at once, named people searched, celebrities as an option. Rekognition, S3 and
// DynamoDB mocked.
import 'aws-sdk-client-mock-jest';
import {
  DeleteFacesCommand,
  DetectFacesCommand,
  IndexFacesCommand,
  RecognizeCelebritiesCommand,
  RekognitionClient,
  SearchUsersCommand,
} from '@aws-sdk/client-rekognition';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { BatchGetCommand, DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { PEOPLE_BUDGET_BYTES } from '../../../tasks/detect-faces/budget';
import { handler } from '../../../tasks/detect-faces/handler';
import { externalImageId } from '../../../tasks/shared/faces';
import { sequencerKey } from '../../../tasks/shared/sequencer';
import { conditionFailed } from '../shared/factories';
import { analysisInput, awsError, BUCKET, useEnv } from '../shared/image-task-helpers';
import { crowd, smilingFace } from './face-details';

const s3Mock = mockClient(S3Client);
const rekognitionMock = mockClient(RekognitionClient);
const ddbMock = mockClient(DynamoDBDocumentClient);
const COLLECTION = 'picflow-faces';

beforeEach(() => {
  s3Mock.reset();
  rekognitionMock.reset();
  ddbMock.reset();
  s3Mock.on(PutObjectCommand).resolves({});
  ddbMock.on(UpdateCommand).resolves({});
  ddbMock.on(PutCommand).resolves({});
  ddbMock.on(BatchGetCommand).resolves({ Responses: {} });
  rekognitionMock.on(SearchUsersCommand).resolves({ UserMatches: [] });
});

/** An IndexFaces answer: `indexed` faces with ids f0, f1, ... and `unindexed` ones the quality filter left out. */
function indexed(count: number, unindexed = 0) {
  return {
    FaceRecords: Array.from({ length: count }, (_, i) => ({ Face: { FaceId: `f${i}` }, FaceDetail: smilingFace() })),
    UnindexedFaces: Array.from({ length: unindexed }, () => ({ Reasons: ['LOW_SHARPNESS' as const], FaceDetail: smilingFace() })),
  };
}

describe('Function: handler, face indexing on', () => {
  useEnv({ FACE_COLLECTION_ID: COLLECTION });

  it('calls IndexFaces with all attributes and the mapped ExternalImageId instead of DetectFaces', async () => {
    // Prepare
    rekognitionMock.on(IndexFacesCommand).resolves(indexed(2, 1));
    const input = analysisInput();

    // Act
    const result = await handler(input);

    // Assess
    expect(rekognitionMock).not.toHaveReceivedCommand(DetectFacesCommand);
    expect(rekognitionMock).toHaveReceivedCommandWith(IndexFacesCommand, {
      CollectionId: COLLECTION,
      Image: { S3Object: { Bucket: BUCKET, Name: 'uploads/photos/astronaut.png' } },
      ExternalImageId: externalImageId(input.image.imageId),
      DetectionAttributes: ['ALL'],
    });
    expect(result).toMatchObject({ status: 'SUCCEEDED', faceCount: 3, externalImageId: externalImageId(input.image.imageId) });
    expect(result.faces?.map((f) => f.faceId)).toEqual(['f0', 'f1', undefined]);
    expect(result.faces?.[2]).toMatchObject({ dominantEmotion: 'HAPPY' });
  });

  it('records the new FaceIds on the item, only while it holds this version, before anything else can fail', async () => {
    // Prepare
    rekognitionMock.on(IndexFacesCommand).resolves(indexed(2));
    s3Mock.on(PutObjectCommand).rejects(awsError('SlowDown', 503));
    const input = analysisInput();

    // Act
    await expect(handler(input)).rejects.toMatchObject({ name: 'S3.ThrottlingException' });

    // Assess
    expect(ddbMock).toHaveReceivedCommandWith(UpdateCommand, {
      Key: { imageId: input.image.imageId },
      UpdateExpression: 'ADD #faceIndex :faceIds',
      ExpressionAttributeValues: { ':faceIds': new Set(['f0', 'f1']), ':ifSequencerKey': sequencerKey(input.image.sequencer) },
    });
  });

  it('deletes the faces it just indexed when a newer version took the item meanwhile', async () => {
    // Prepare
    rekognitionMock.on(IndexFacesCommand).resolves(indexed(2));
    rekognitionMock.on(DeleteFacesCommand).resolves({ DeletedFaces: ['f0', 'f1'] });
    ddbMock.on(UpdateCommand).rejects(conditionFailed());

    // Act
    const result = await handler(analysisInput());

    // Assess
    expect(rekognitionMock).toHaveReceivedCommandWith(DeleteFacesCommand, { CollectionId: COLLECTION, FaceIds: ['f0', 'f1'] });
    expect(result.faces?.some((f) => f.faceId)).toBe(false);
    expect(rekognitionMock).not.toHaveReceivedCommand(SearchUsersCommand);
  });

  it('searches each new face against the named people and lists those recognised, with their names', async () => {
    // Prepare
    rekognitionMock.on(IndexFacesCommand).resolves(indexed(3));
    rekognitionMock
      .on(SearchUsersCommand, { FaceId: 'f1' })
      .resolves({ UserMatches: [{ Similarity: 93.456, User: { UserId: 'person-ada', UserStatus: 'ACTIVE' } }] });
    rekognitionMock
      .on(SearchUsersCommand, { FaceId: 'f2' })
      .resolves({ UserMatches: [{ Similarity: 85, User: { UserId: 'person-unnamed', UserStatus: 'ACTIVE' } }] });
    ddbMock
      .on(BatchGetCommand)
      .resolves({ Responses: { 'picflow-test': [{ imageId: '#person/person-ada', userId: 'person-ada', personName: 'Ada' }] } });

    // Act
    const result = await handler(analysisInput());

    // Assess
    expect(rekognitionMock).toHaveReceivedCommandTimes(SearchUsersCommand, 3);
    expect(rekognitionMock).toHaveReceivedCommandWith(SearchUsersCommand, {
      CollectionId: COLLECTION,
      FaceId: 'f0',
      UserMatchThreshold: 80,
      MaxUsers: 1,
    });
    expect(result.people).toEqual([
      { userId: 'person-ada', name: 'Ada', similarity: 93.46, faceId: 'f1' },
      { userId: 'person-unnamed', similarity: 85, faceId: 'f2' },
    ]);
  });

  describe('with PERSON_MATCH_THRESHOLD=95', () => {
    useEnv({ FACE_COLLECTION_ID: COLLECTION, PERSON_MATCH_THRESHOLD: '95' });

    it('asks SearchUsers for that threshold', async () => {
      // Prepare
      rekognitionMock.on(IndexFacesCommand).resolves(indexed(1));

      // Act
      await handler(analysisInput());

      // Assess
      expect(rekognitionMock).toHaveReceivedCommandWith(SearchUsersCommand, { UserMatchThreshold: 95 });
    });
  });

  it('indexes a long unicode key under a hashed id and stores the way back', async () => {
    // Prepare
    rekognitionMock.on(IndexFacesCommand).resolves(indexed(0));
    const key = `uploads/${'写真フォルダ/'.repeat(20)}photo.jpg`;
    const input = analysisInput({ image: { key, imageId: `${BUCKET}/${key}` } });

    // Act
    await handler(input);

    // Assess
    const external = rekognitionMock.commandCalls(IndexFacesCommand)[0]!.args[0].input.ExternalImageId!;
    expect(external).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(ddbMock).toHaveReceivedCommandWith(PutCommand, { Item: { imageId: `#external/${external}`, imageOf: input.image.imageId } });
  });

  it('keeps 100 faces with their FaceIds and people within the state budget', async () => {
    // Prepare
    const details = crowd(100);
    rekognitionMock.on(IndexFacesCommand).resolves({
      FaceRecords: details.map((FaceDetail, i) => ({ Face: { FaceId: `0000000${i}-1111-2222-3333-444444444444`.slice(-36) }, FaceDetail })),
    });
    rekognitionMock.on(SearchUsersCommand).resolves({ UserMatches: [{ Similarity: 99.1, User: { UserId: 'u'.repeat(128) } }] });
    ddbMock.on(BatchGetCommand).resolves({ Responses: { 'picflow-test': [{ userId: 'u'.repeat(128), personName: 'N'.repeat(200) }] } });

    // Act
    const result = await handler(analysisInput());

    // Assess
    expect(result.faces).toHaveLength(100);
    expect(result.faces?.every((f) => f.faceId)).toBe(true);
    // 100 people with 128-character ids and long names exceed the people budget: the surest matches are kept.
    expect(result.people!.length).toBeGreaterThan(20);
    expect(JSON.stringify(result.people).length).toBeLessThanOrEqual(PEOPLE_BUDGET_BYTES);
    expect(JSON.stringify(result).length).toBeLessThan(75_000);
  });

  it('fails with the renamed error when IndexFaces is throttled, recording nothing', async () => {
    // Prepare
    rekognitionMock.on(IndexFacesCommand).rejects(awsError('ProvisionedThroughputExceededException', 400));

    // Act & Assess
    await expect(handler(analysisInput())).rejects.toMatchObject({ name: 'Rekognition.ThrottlingException' });
    expect(ddbMock).not.toHaveReceivedCommand(UpdateCommand);
  });

  describe('without FACE_COLLECTION_ID', () => {
    useEnv({ FACE_COLLECTION_ID: undefined });

    it('fails with a ConfigError instead of silently not indexing', async () => {
      // Act & Assess
      await expect(handler(analysisInput())).rejects.toMatchObject({ name: 'ConfigError' });
      expect(rekognitionMock).not.toHaveReceivedCommand(IndexFacesCommand);
    });
  });
});

describe('Function: handler, celebrities on', () => {
  useEnv({ FACE_INDEXING: 'false', CELEBRITIES: 'true' });

  beforeEach(() => rekognitionMock.on(DetectFacesCommand).resolves({ FaceDetails: [smilingFace()] }));

  it('lists the celebrities RecognizeCelebrities names, with URLs and match confidence', async () => {
    // Prepare
    rekognitionMock.on(RecognizeCelebritiesCommand).resolves({
      CelebrityFaces: [
        {
          Name: 'Jeff Bezos',
          Id: '1SK7cR8M',
          Urls: ['www.wikidata.org/wiki/Q312556', 'www.imdb.com/name/nm1757263', 'a', 'b'],
          MatchConfidence: 99.98765,
          Face: { BoundingBox: { Left: 0.1, Top: 0.2, Width: 0.3, Height: 0.4 } },
        },
      ],
    });

    // Act
    const result = await handler(analysisInput());

    // Assess
    expect(rekognitionMock).toHaveReceivedCommandWith(RecognizeCelebritiesCommand, {
      Image: { S3Object: { Bucket: BUCKET, Name: 'uploads/photos/astronaut.png' } },
    });
    expect(result.celebrities).toEqual({
      status: 'SUCCEEDED',
      celebrities: [
        {
          name: 'Jeff Bezos',
          id: '1SK7cR8M',
          urls: ['www.wikidata.org/wiki/Q312556', 'www.imdb.com/name/nm1757263', 'a'],
          matchConfidence: 99.99,
          box: { left: 0.1, top: 0.2, width: 0.3, height: 0.4 },
        },
      ],
    });
  });

  it('reads unavailable with the reason when the endpoint does not offer it (the local one), never an empty success', async () => {
    // Prepare
    rekognitionMock.on(RecognizeCelebritiesCommand).rejects(awsError('UnknownOperationException', 400, 'Unsupported operation'));

    // Act
    const result = await handler(analysisInput());

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.celebrities).toEqual({
      status: 'unavailable',
      reason: 'RecognizeCelebrities failed: UnknownOperationException: Unsupported operation',
    });
  });

  it('fails the branch on throttling so the definition retries it', async () => {
    // Prepare
    rekognitionMock.on(RecognizeCelebritiesCommand).rejects(awsError('ThrottlingException', 400));

    // Act & Assess
    await expect(handler(analysisInput())).rejects.toMatchObject({ name: 'Rekognition.ThrottlingException' });
  });

  describe('with CELEBRITIES unset (the default)', () => {
    useEnv({ FACE_INDEXING: 'false', CELEBRITIES: undefined });

    it('does not call RecognizeCelebrities', async () => {
      // Act
      const result = await handler(analysisInput());

      // Assess
      expect(rekognitionMock).not.toHaveReceivedCommand(RecognizeCelebritiesCommand);
      expect(result.celebrities).toBeUndefined();
    });
  });
});
