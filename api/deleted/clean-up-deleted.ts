/**
 * An upload deleted directly in S3 gets the API's DELETE clean-up (api/images/delete-image.ts), but only
 * when the deleted object is the one the image's item describes: a delete of an older version, or a
 * delete event that arrives after the key was uploaded again, must not remove the newer upload's results.
 */
import type { RekognitionClient } from '@aws-sdk/client-rekognition';
import type { S3Client } from '@aws-sdk/client-s3';
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { imageKey } from '../../tasks/shared/image-table';
import { sequencerKey } from '../../tasks/shared/sequencer';
import type { ImageItem } from '../../tasks/shared/types';
import { deleteImage } from '../images/delete-image';

/** The EventBridge event S3 sends when an object is deleted ("Object Deleted", source "aws.s3"). */
export interface S3ObjectDeletedEvent {
  'detail-type': 'Object Deleted';
  source: 'aws.s3';
  time: string;
  detail: {
    bucket: { name: string };
    object: {
      /** Raw, as in "Object Created" (EventBridge does not encode keys). */
      key: string;
      /** In a versioned bucket: the deleted version, or the delete marker's own version. */
      'version-id'?: string;
      /** Orders this delete after or before the writes of the same key. */
      sequencer: string;
    };
    /** `Permanently Deleted` (a version, or any delete in an unversioned bucket) or `Delete Marker Created`. */
    'deletion-type': string;
    /** `DeleteObject` or `Lifecycle Expiration`. */
    reason: string;
  };
}

export type CleanUpOutcome =
  /** The item described the deleted object: its derived objects, label entries and item are gone. */
  | 'CLEANED_UP'
  /** No item: never analysed, or already cleaned up (EventBridge delivers at least once). */
  | 'NO_ITEM'
  /** A version other than the item's was deleted permanently; the item's own version is still there. */
  | 'OTHER_VERSION'
  /** The item describes a write made after this delete (the key was uploaded again). */
  | 'NEWER_UPLOAD';

export async function cleanUpDeletedObject(
  event: S3ObjectDeletedEvent,
  tableName: string,
  clients: { dynamo: DynamoDBDocumentClient; s3: S3Client; rekognition?: RekognitionClient },
  faceCollectionId?: string,
): Promise<{ imageId: string; outcome: CleanUpOutcome }> {
  const bucket = event.detail.bucket.name;
  const { key } = event.detail.object;
  const imageId = `${bucket}/${key}`;
  const { Item } = await clients.dynamo.send(new GetCommand({ TableName: tableName, Key: imageKey(imageId), ConsistentRead: true }));
  if (!Item) return { imageId, outcome: 'NO_ITEM' };
  const outcome = deletedVersionIsCurrent(Item as ImageItem, event.detail);
  if (outcome !== 'CLEANED_UP') return { imageId, outcome };
  await deleteImage({ imageId, bucket, key }, tableName, clients, { deleteOriginal: false, faceCollectionId });
  return { imageId, outcome };
}

/** Whether the delete removed the object the item describes (CLEANED_UP), or why not. */
export function deletedVersionIsCurrent(
  item: Pick<ImageItem, 'versionId' | 'sequencerKey'>,
  detail: S3ObjectDeletedEvent['detail'],
): CleanUpOutcome {
  const versionId = detail.object['version-id'];
  // A permanent delete of one version names it: only the item's own version matters (S3 calls an object
  // stored before versioning was enabled version "null").
  if (detail['deletion-type'] === 'Permanently Deleted' && versionId !== undefined && versionId !== (item.versionId ?? 'null')) {
    return 'OTHER_VERSION';
  }
  // Unversioned bucket, or a delete marker (it hides whatever version was current): the delete must come
  // after the write the item describes. Sequencers of one key order its writes and deletes.
  return sequencerKey(detail.object.sequencer) > item.sequencerKey ? 'CLEANED_UP' : 'NEWER_UPLOAD';
}
