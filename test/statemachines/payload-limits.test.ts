// The worst case a photo can produce (100 faces with every attribute, each indexed with its FaceId and
// recognised as a named person, 64 celebrities, dense text, many labels and instances) run through THE
// definition with the real analysis tasks (Rekognition, S3 and DynamoDB mocked):
// no state's input or output may approach Step Functions' 256 KB limit, and the item must fit
// DynamoDB's 400 KB.
import 'aws-sdk-client-mock-jest';
import {
  DetectLabelsCommand,
  IndexFacesCommand,
  RecognizeCelebritiesCommand,
  SearchUsersCommand,
  DetectModerationLabelsCommand,
  DetectTextCommand,
  RekognitionClient,
  type FaceDetail,
  type Label,
  type TextDetection,
} from '@aws-sdk/client-rekognition';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { BatchGetCommand, DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { PEOPLE_BUDGET_BYTES } from '../../tasks/detect-faces/budget';
import { LocalStateMachine, STATE_PAYLOAD_LIMIT_BYTES } from '../../local/engine/local-state-machine';
import { handler as detectFaces } from '../../tasks/detect-faces/handler';
import { handler as detectLabelsAndText } from '../../tasks/detect-labels-and-text/handler';
import { handler as detectModerationLabels } from '../../tasks/detect-moderation-labels/handler';
import { buildItem } from '../../tasks/store-result/build-item';
import type { FacesBranchResult, StoreResultInput } from '../../tasks/shared/types';
import { objectCreatedEvent } from '../support/events';
import { pipelineStubs } from './support/pipeline-stubs';
import { colorsResponse } from '../tasks/detect-labels-and-text/responses';

const rekognition = mockClient(RekognitionClient);
const s3 = mockClient(S3Client);
const ddb = mockClient(DynamoDBDocumentClient);
/** Rekognition's longest UserId; names are people's own, 200 characters is generous. */
const USER_ID = 'u'.repeat(128);

/** DynamoDB's item size limit. */
const ITEM_LIMIT_BYTES = 400 * 1024;

const box = (i: number) => ({
  Left: (i % 10) / 10 + 0.01234567,
  Top: Math.floor(i / 10) / 10 + 0.01234567,
  Width: 0.0912345678,
  Height: 0.0912345678,
});

function worstCaseFace(i: number): FaceDetail {
  const attribute = (value: boolean) => ({ Value: value, Confidence: 99.123456789 });
  return {
    BoundingBox: box(i),
    AgeRange: { Low: 25, High: 35 },
    Smile: attribute(true),
    Eyeglasses: attribute(false),
    Sunglasses: attribute(false),
    Gender: { Value: 'Female', Confidence: 99.98765 },
    Beard: attribute(false),
    Mustache: attribute(false),
    EyesOpen: attribute(true),
    MouthOpen: attribute(false),
    Emotions: ['HAPPY', 'CALM', 'SURPRISED', 'CONFUSED', 'SAD', 'ANGRY', 'DISGUSTED', 'FEAR'].map((Type, rank) => ({
      Type: Type as never,
      Confidence: 90 / (rank + 1) + 0.123456,
    })),
    Landmarks: Array.from({ length: 30 }, (_, l) => ({ Type: 'eyeLeft' as never, X: l / 30 + 0.00123456, Y: l / 30 + 0.00123456 })),
    Pose: { Roll: 1.23456, Yaw: -2.34567, Pitch: 3.45678 },
    Quality: { Brightness: 80.123456, Sharpness: 90.123456 },
    Confidence: 99.9999,
    FaceOccluded: attribute(false),
    EyeDirection: { Yaw: 1.2345, Pitch: 2.3456, Confidence: 99.12345 },
  };
}

function worstCaseLabel(i: number): Label {
  return {
    Name: `Label number ${i} with a long descriptive name`,
    Confidence: 99.123456,
    Instances: Array.from({ length: 100 }, (_, n) => ({ BoundingBox: box(n), Confidence: 88.123456 })),
    Parents: Array.from({ length: 8 }, (_, p) => ({ Name: `Parent ${p} of label ${i}` })),
    Aliases: [{ Name: 'alias' }],
    Categories: [{ Name: 'Category' }],
  };
}

function worstCaseText(): TextDetection[] {
  const line = (id: number): TextDetection => ({
    DetectedText: `${'dense printed text '.repeat(12)}${id}`,
    Type: 'LINE',
    Id: id,
    Confidence: 99.1234,
    Geometry: { BoundingBox: box(id), Polygon: [] },
  });
  const word = (id: number): TextDetection => ({
    DetectedText: 'word',
    Type: 'WORD',
    Id: 100 + id,
    ParentId: id,
    Confidence: 99.1234,
    Geometry: { BoundingBox: box(id) },
  });
  return [...Array.from({ length: 100 }, (_, i) => line(i)), ...Array.from({ length: 100 }, (_, i) => word(i))];
}

describe('Definition execution: worst-case payload sizes', () => {
  beforeEach(() => {
    rekognition.reset();
    s3.reset();
    ddb.reset();
    rekognition.on(IndexFacesCommand).resolves({
      FaceRecords: Array.from({ length: 100 }, (_, i) => ({
        Face: { FaceId: `${String(i).padStart(8, '0')}-1111-2222-3333-444444444444` },
        FaceDetail: worstCaseFace(i),
      })),
    });
    rekognition.on(SearchUsersCommand).resolves({ UserMatches: [{ Similarity: 99.123456, User: { UserId: USER_ID } }] });
    rekognition.on(RecognizeCelebritiesCommand).resolves({
      CelebrityFaces: Array.from({ length: 64 }, (_, i) => ({
        Name: `A celebrity with a rather long name number ${i}`,
        Id: `celebrity-${i}`,
        Urls: ['www.wikidata.org/wiki/Q123456789', 'www.imdb.com/name/nm123456789', 'www.example.com/a/long/url/path'],
        MatchConfidence: 99.123456,
        Face: { BoundingBox: box(i) },
      })),
    });
    ddb.on(UpdateCommand).resolves({});
    ddb.on(PutCommand).resolves({});
    ddb.on(BatchGetCommand).resolves({ Responses: { unused: [{ userId: USER_ID, personName: 'N'.repeat(200) }] } });
    rekognition.on(DetectLabelsCommand).resolves({
      Labels: Array.from({ length: 25 }, (_, i) => worstCaseLabel(i)),
      // IMAGE_PROPERTIES at Rekognition's maximum of 20 colours per region, whatever was asked
      ImageProperties: {
        Quality: { Brightness: 50.123456, Sharpness: 50.123456, Contrast: 50.123456 },
        DominantColors: colorsResponse(20),
        Foreground: { DominantColors: colorsResponse(20) },
        Background: { DominantColors: colorsResponse(20) },
      },
    });
    rekognition.on(DetectTextCommand).resolves({ TextDetections: worstCaseText() });
    rekognition.on(DetectModerationLabelsCommand).resolves({
      ModerationLabels: Array.from({ length: 40 }, (_, i) => ({
        Name: `Moderation label ${i}`,
        ParentName: 'Explicit',
        Confidence: 95.5,
        TaxonomyLevel: 2,
      })),
    });
    s3.on(PutObjectCommand).resolves({});
    process.env.TABLE_NAME = 'unused';
    process.env.FACE_COLLECTION_ID = 'picflow-faces';
    process.env.CELEBRITIES = 'true';
  });

  afterAll(() => {
    delete process.env.TABLE_NAME;
    delete process.env.FACE_COLLECTION_ID;
    delete process.env.CELEBRITIES;
  });

  it('keeps every state input and output far below 256 KB, with the full responses in S3', async () => {
    // Prepare
    const stubs = pipelineStubs();
    let storedInput: StoreResultInput | undefined;
    const handlers = {
      ...stubs.handlers,
      DetectFaces: detectFaces as never,
      DetectLabelsAndText: detectLabelsAndText as never,
      DetectModerationLabels: detectModerationLabels as never,
      StoreResult: async (input: unknown) => {
        storedInput = input as StoreResultInput;
        return stubs.handlers.StoreResult(input);
      },
    };
    const machine = new LocalStateMachine({ handlers, integrations: stubs.integrations, substitutions: { DeadLetterQueueUrl: 'q' } });
    // A long key, since it is repeated in the state (event, image, thumbnails' and raw results' keys)
    const event = objectCreatedEvent({ key: `uploads/${'very long folder name/'.repeat(20)}photo with 100 faces.jpg` });

    // Act
    const outcome = await machine.execute(event, { name: 'worst-case' });

    // Assess
    expect(outcome.status).toBe('SUCCEEDED');
    const sizes = outcome.events
      .filter((e) => e.type === 'StateEntered' || e.type === 'StateExited')
      .map((e) => {
        const state = (e as { state: { name: string; input: unknown; output?: unknown } }).state;
        return { state: state.name, bytes: Buffer.byteLength(JSON.stringify(e.type === 'StateEntered' ? state.input : state.output)) };
      });
    const largest = sizes.reduce((max, s) => (s.bytes > max.bytes ? s : max));
    // Half the limit: room for keys longer than this one and for responses growing over time.
    expect(largest.bytes).toBeLessThan(STATE_PAYLOAD_LIMIT_BYTES / 2);
    expect(storedInput?.branches[1]).toMatchObject({ branch: 'faces', status: 'SUCCEEDED', faceCount: 100 });
    expect(rekognition).toHaveReceivedCommandTimes(IndexFacesCommand, 1);
    const faces = storedInput?.branches[1] as FacesBranchResult;
    expect(faces.faces?.filter((f) => f.faceId)).toHaveLength(100);
    // Named people and celebrities are capped by their own budgets (tasks/detect-faces/budget.ts), the surest kept.
    expect(faces.people!.length).toBeGreaterThan(0);
    expect(JSON.stringify(faces.people).length).toBeLessThanOrEqual(PEOPLE_BUDGET_BYTES);
    expect(faces.celebrities).toMatchObject({ status: 'SUCCEEDED', celebrities: expect.arrayContaining([expect.anything()]) });
    expect(s3).toHaveReceivedCommandTimes(PutObjectCommand, 4);
    const { item } = buildItem(storedInput!, { analyzerName: 'amazon-rekognition', now: new Date() });
    // faceIndex (a string set of the 100 FaceIds) is added by the faces task's own update: 3.7 KB more.
    const faceIndexBytes = faces.faces!.reduce((sum, f) => sum + Buffer.byteLength(f.faceId ?? ''), 0);
    expect(Buffer.byteLength(JSON.stringify(item)) + faceIndexBytes).toBeLessThan(ITEM_LIMIT_BYTES / 2);
    expect(item.colors).toHaveLength(5);
  });
});
