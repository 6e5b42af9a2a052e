// The clean-up after an upload is deleted directly in S3 (api/deleted), with mocked clients: it runs the
// API's delete for the item's own version only, never deletes the original again, and is idempotent.
import { DeleteFacesCommand, RekognitionClient } from '@aws-sdk/client-rekognition';
import { DeleteObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { BatchWriteCommand, DeleteCommand, DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import type { S3ObjectDeletedEvent } from '../../api/deleted/clean-up-deleted';
import { handler } from '../../api/deleted/handler';
import { uploadDeletedEventPattern, uploadEventPattern } from '../../statemachines/trigger';
import { matchesPattern } from '../../local/events/event-pattern';
import { resetClients } from '../../tasks/shared/aws-clients';
import { labelEntryId } from '../../tasks/shared/image-indexes';
import { sequencerKey } from '../../tasks/shared/sequencer';

const ddb = mockClient(DynamoDBDocumentClient);
const s3 = mockClient(S3Client);
const IMAGE_ID = 'picflow-uploads/uploads/cat.jpg';

/** The item of the upload with sequencer 0055AED6DCD90281E5 (version v2 in the versioned cases). */
const item = {
  imageId: IMAGE_ID,
  bucket: 'picflow-uploads',
  key: 'uploads/cat.jpg',
  versionId: 'v2',
  sequencer: '0055AED6DCD90281E5',
  sequencerKey: sequencerKey('0055AED6DCD90281E5'),
  status: 'SUCCEEDED',
  thumbnails: [{ name: 'cover-128x128', key: 'thumbnails/cat.jpg/abc/cover-128x128.jpg', width: 128, height: 128 }],
  rawResults: { labels: 's3://picflow-uploads/analysis/cat.jpg/abc/labels.json' },
  labelIndex: new Set(['dog']),
};

function deletedEvent(object: { sequencer: string; 'version-id'?: string }, deletionType = 'Permanently Deleted'): S3ObjectDeletedEvent {
  return {
    'detail-type': 'Object Deleted',
    source: 'aws.s3',
    time: '2026-11-23T18:05:00Z',
    detail: {
      bucket: { name: 'picflow-uploads' },
      object: { key: 'uploads/cat.jpg', ...object },
      'deletion-type': deletionType,
      reason: 'DeleteObject',
    },
  };
}

beforeEach(() => {
  ddb.reset();
  s3.reset();
  resetClients();
  Object.assign(process.env, { TABLE_NAME: 'images', BUCKET_NAME: 'picflow-uploads' });
  s3.on(DeleteObjectCommand).resolves({});
  ddb.on(BatchWriteCommand).resolves({});
  ddb.on(DeleteCommand).resolves({});
});

afterAll(() => {
  for (const name of ['TABLE_NAME', 'BUCKET_NAME']) delete process.env[name];
  resetClients();
});

const deletedKeys = () =>
  s3
    .commandCalls(DeleteObjectCommand)
    .map((c) => c.args[0].input.Key)
    .sort();

describe('Function: object-deleted clean-up', () => {
  it("a delete after the item's upload (unversioned bucket) removes derived objects, label entries and item, not the key", async () => {
    // Prepare
    ddb.on(GetCommand).resolves({ Item: item });

    // Act
    const result = await handler(deletedEvent({ sequencer: '0055AED6DCD90281F0' }));

    // Assess
    expect(result).toEqual({ imageId: IMAGE_ID, outcome: 'CLEANED_UP' });
    expect(deletedKeys()).toEqual(['analysis/cat.jpg/abc/labels.json', 'thumbnails/cat.jpg/abc/cover-128x128.jpg']);
    expect(ddb).toHaveReceivedCommandWith(BatchWriteCommand, {
      RequestItems: { images: [{ DeleteRequest: { Key: { imageId: labelEntryId(IMAGE_ID, 'dog') } } }] },
    });
    expect(ddb).toHaveReceivedCommandWith(DeleteCommand, { TableName: 'images', Key: { imageId: IMAGE_ID } });
  });

  it("a delete event older than the item (the key was uploaded again since) leaves the new upload's results alone", async () => {
    // Prepare
    ddb.on(GetCommand).resolves({ Item: item });

    // Act
    const result = await handler(deletedEvent({ sequencer: '0055AED6DCD90281E4' }));

    // Assess
    expect(result.outcome).toBe('NEWER_UPLOAD');
    expect(s3).not.toHaveReceivedCommand(DeleteObjectCommand);
    expect(ddb).not.toHaveReceivedCommand(DeleteCommand);
  });

  it('a sequencer of another length is compared right-padded, as S3 documents (a longer later one still counts as later)', async () => {
    // Prepare
    ddb.on(GetCommand).resolves({ Item: item });

    // Act
    const result = await handler(deletedEvent({ sequencer: '0055AED6DCD90281E501' }));

    // Assess
    expect(result.outcome).toBe('CLEANED_UP');
  });

  it('permanently deleting an old version leaves the item of the current version alone', async () => {
    // Prepare
    ddb.on(GetCommand).resolves({ Item: item });

    // Act
    const result = await handler(deletedEvent({ sequencer: '0055AED6DCD90281F0', 'version-id': 'v1' }));

    // Assess
    expect(result.outcome).toBe('OTHER_VERSION');
    expect(s3).not.toHaveReceivedCommand(DeleteObjectCommand);
    expect(ddb).not.toHaveReceivedCommand(DeleteCommand);
  });

  it.each([
    ["permanently deleting the item's own version", deletedEvent({ sequencer: '0055AED6DCD90281F0', 'version-id': 'v2' })],
    [
      "a delete marker over the item's version",
      deletedEvent({ sequencer: '0055AED6DCD90281F0', 'version-id': 'marker-1' }, 'Delete Marker Created'),
    ],
  ])('%s cleans up', async (_name, event) => {
    // Prepare
    ddb.on(GetCommand).resolves({ Item: item });

    // Act
    const result = await handler(event);

    // Assess
    expect(result.outcome).toBe('CLEANED_UP');
    expect(ddb).toHaveReceivedCommandWith(DeleteCommand, { Key: { imageId: IMAGE_ID } });
    expect(deletedKeys()).not.toContain('uploads/cat.jpg');
  });

  it("a delete of the item's upload deletes its faces from the face collection", async () => {
    // Prepare
    const rekognition = mockClient(RekognitionClient);
    rekognition.on(DeleteFacesCommand).resolves({ DeletedFaces: ['face-1'] });
    ddb.on(GetCommand).resolves({ Item: { ...item, faceIndex: new Set(['face-1']) } });
    process.env.FACE_COLLECTION_ID = 'picflow-faces';

    // Act
    const result = await handler(deletedEvent({ sequencer: '0055AED6DCD90281F0' }));

    // Assess
    delete process.env.FACE_COLLECTION_ID;
    rekognition.restore();
    expect(result.outcome).toBe('CLEANED_UP');
    expect(rekognition).toHaveReceivedCommandWith(DeleteFacesCommand, { CollectionId: 'picflow-faces', FaceIds: ['face-1'] });
  });

  it('without an item (never analysed, or cleaned up by an earlier delivery) does nothing', async () => {
    // Prepare
    ddb.on(GetCommand).resolves({});

    // Act
    const result = await handler(deletedEvent({ sequencer: '0055AED6DCD90281F0' }));

    // Assess
    expect(result.outcome).toBe('NO_ITEM');
    expect(s3).not.toHaveReceivedCommand(DeleteObjectCommand);
    expect(ddb).not.toHaveReceivedCommand(BatchWriteCommand);
  });

  it("logs its outcome through the tasks' Powertools logger (structured, with the image's keys), never console.log", async () => {
    // Prepare
    ddb.on(GetCommand).resolves({});
    const info = jest.spyOn(Logger.prototype, 'info').mockImplementation(() => undefined);
    const consoleLog = jest.spyOn(console, 'log').mockImplementation(() => undefined);

    // Act
    await handler(deletedEvent({ sequencer: '0055AED6DCD90281F0' }));

    // Assess
    try {
      expect(info).toHaveBeenCalledWith(
        'object deleted',
        expect.objectContaining({ outcome: 'NO_ITEM', deletionType: 'Permanently Deleted' }),
      );
      expect(consoleLog).not.toHaveBeenCalled();
    } finally {
      info.mockRestore();
      consoleLog.mockRestore();
    }
  });
});

describe('uploadDeletedEventPattern', () => {
  const pattern = uploadDeletedEventPattern('picflow-uploads', 'uploads/');

  it('matches deletes under the upload prefix only, never creates or derived objects', () => {
    // Prepare
    const upload = deletedEvent({ sequencer: '01' });
    const thumbnail = {
      ...upload,
      detail: { ...upload.detail, object: { ...upload.detail.object, key: 'thumbnails/cat.jpg/abc/cover-128x128.jpg' } },
    };
    const created = { ...upload, 'detail-type': 'Object Created' };

    // Act / Assess
    expect(matchesPattern(upload, pattern)).toBe(true);
    expect(matchesPattern(thumbnail, pattern)).toBe(false);
    expect(matchesPattern(created, pattern)).toBe(false);
    expect(matchesPattern(upload, uploadEventPattern('picflow-uploads', 'uploads/'))).toBe(false);
  });
});
