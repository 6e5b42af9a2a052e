/**
 * DELETE /images/{imageId}: the original, its thumbnails, normalized copy and raw results, its label
 * entries, its faces in the face collection (biometric data does not outlive its photo), then the item
 * (last, so a delete that fails halfway can be repeated and finds everything again). Idempotent: deleting what is gone is a success.
 */
import type { RekognitionClient } from '@aws-sdk/client-rekognition';
import { DeleteObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DeleteCommand, GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { deleteImageFaces } from '../../tasks/shared/faces';
import { imageKey } from '../../tasks/shared/image-table';
import { deleteLabelEntries } from '../../tasks/shared/label-index';
import { derivedKeys } from '../../tasks/shared/derived-objects';
import type { ImageItem } from '../../tasks/shared/types';
import type { ImageLocation } from './image-id';

export interface DeleteOptions {
  /**
   * Delete the original too (the API's DELETE). The clean-up after a delete made in S3 passes false:
   * the original is gone already, and deleting its key again could remove a newer upload of that key
   * (or, in a versioned bucket, add another delete marker and another event).
   */
  deleteOriginal?: boolean;
  /** The face collection the item's FaceIds are in (an item with faces and none configured is not deleted). */
  faceCollectionId?: string;
}

export async function deleteImage(
  image: ImageLocation,
  tableName: string,
  clients: { dynamo: DynamoDBDocumentClient; s3: S3Client; rekognition?: RekognitionClient },
  { deleteOriginal = true, faceCollectionId }: DeleteOptions = {},
): Promise<void> {
  const { Item } = await clients.dynamo.send(new GetCommand({ TableName: tableName, Key: imageKey(image.imageId), ConsistentRead: true }));
  const item = Item as ImageItem | undefined;
  const objects = new Set<string>([...(deleteOriginal ? [image.key] : []), ...(item ? derivedKeys(item, image.bucket) : [])]);
  // S3 answers 204 for a key that does not exist: a second delete is the same calls, all successful.
  await Promise.all([...objects].map((Key) => clients.s3.send(new DeleteObjectCommand({ Bucket: image.bucket, Key }))));
  if (!item) return;
  await deleteLabelEntries(clients.dynamo, tableName, image.imageId, item.labelIndex ?? []);
  await deleteImageFaces(clients, tableName, faceCollectionId, item);
  // The item goes with its status and verdict index entries (they are its own attributes).
  await clients.dynamo.send(new DeleteCommand({ TableName: tableName, Key: imageKey(image.imageId) }));
}
