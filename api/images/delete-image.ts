/**
 * DELETE /images/{imageId}: the original, its thumbnails, normalized copy and raw results, its label
 * entries, then the item (last, so a delete that fails halfway can be repeated and finds everything
 * again). Idempotent: deleting what is gone is a success.
 */
import { DeleteObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DeleteCommand, GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { imageKey } from '../../tasks/shared/image-table';
import { deleteLabelEntries } from '../../tasks/shared/label-index';
import { parseS3Uri } from '../../tasks/shared/s3-objects';
import type { ImageItem } from '../../tasks/shared/types';
import type { ImageLocation } from './image-id';

export async function deleteImage(
  image: ImageLocation,
  tableName: string,
  clients: { dynamo: DynamoDBDocumentClient; s3: S3Client },
): Promise<void> {
  const { Item } = await clients.dynamo.send(new GetCommand({ TableName: tableName, Key: imageKey(image.imageId), ConsistentRead: true }));
  const item = Item as ImageItem | undefined;
  const objects = new Set<string>([image.key, ...(item ? derivedKeys(item, image.bucket) : [])]);
  // S3 answers 204 for a key that does not exist: a second delete is the same calls, all successful.
  await Promise.all([...objects].map((Key) => clients.s3.send(new DeleteObjectCommand({ Bucket: image.bucket, Key }))));
  if (!item) return;
  await deleteLabelEntries(clients.dynamo, tableName, image.imageId, item.labelIndex ?? []);
  // The item goes with its status and verdict index entries (they are its own attributes).
  await clients.dynamo.send(new DeleteCommand({ TableName: tableName, Key: imageKey(image.imageId) }));
}

/** Every object picflow wrote for the item, in this bucket. */
function derivedKeys(item: ImageItem, bucket: string): string[] {
  const raw = Object.values(item.rawResults ?? {})
    .filter((uri): uri is string => typeof uri === 'string')
    .map(parseS3Uri);
  return [
    ...(item.thumbnails ?? []).map((t) => t.key),
    ...[...raw, ...(item.analysisObject ? [item.analysisObject] : [])].filter((o) => o.bucket === bucket).map((o) => o.key),
  ];
}
