/**
 * Keeps an image's label entries (tasks/shared/image-indexes.ts) in step with its labels, without
 * transactions (dynalite has none): the item's `labelIndex` set names every entry that may exist, is
 * only ever grown before entries are written and shrunk after they are deleted, so a crash or a retry
 * at any point leaves entries the next sync (or a delete) can still find.
 */
import { BatchWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { callAws } from './errors';
import { updateWhileVersion } from './version-guarded-update';
import { imageKey } from './image-table';
import { labelConfidences, labelEntries, labelEntryId, type LabelEntry } from './image-indexes';
import type { ImageItem } from './types';

/** BatchWriteItem takes at most 25 requests. */
const BATCH = 25;

export type LabelSource = Pick<ImageItem, 'imageId' | 'key' | 'uploadedAt' | 'labels' | 'sequencerKey' | 'card'>;

/**
 * Writes the entries of `image.labels` and deletes every other entry the item lists, while the item
 * still holds this version (`sequencerKey`); a newer version's own sync owns the entries otherwise.
 * Call it after the item is stored (StoreResult) or marked FAILED (RecordFailure, with no labels).
 */
export async function syncLabelEntries(
  dynamo: DynamoDBDocumentClient,
  tableName: string,
  image: LabelSource,
): Promise<'SYNCED' | 'SUPERSEDED'> {
  const entries = labelEntries(image);
  // An image without an upload time has no entries (labelEntries), so none may be listed either.
  const names = entries.length > 0 ? [...labelConfidences(image.labels).keys()] : [];
  // Grow first: from here on the set names every entry below (ADD of nothing is not allowed: touch the item instead).
  const item = await updateWhileVersion(
    dynamo,
    tableName,
    image,
    names.length > 0
      ? {
          expression: 'ADD #labelIndex :names',
          names: { '#labelIndex': 'labelIndex' },
          values: { ':names': new Set(names) },
          returnItem: true,
        }
      : { expression: 'SET #sequencerKey = #sequencerKey', returnItem: true },
  );
  if (!item) return 'SUPERSEDED';
  const listed = (item.labelIndex as Set<string> | undefined) ?? new Set<string>();
  const stale = [...listed].filter((name) => !names.includes(name));
  await writeBatches(dynamo, tableName, [
    ...entries.map((Item) => ({ PutRequest: { Item } })),
    ...stale.map((name) => ({ DeleteRequest: { Key: imageKey(labelEntryId(image.imageId, name)) } })),
  ]);
  if (stale.length > 0) {
    // Shrink last: only entries already deleted leave the set.
    await callAws('DynamoDB', () =>
      dynamo.send(
        new UpdateCommand({
          TableName: tableName,
          Key: imageKey(image.imageId),
          UpdateExpression: 'DELETE #labelIndex :stale',
          ExpressionAttributeNames: { '#labelIndex': 'labelIndex' },
          ExpressionAttributeValues: { ':stale': new Set(stale) },
        }),
      ),
    );
  }
  return 'SYNCED';
}

/**
 * A claim starts a new attempt whose item has no labels yet: the entries of the labels the item had go
 * now, not at StoreResult, so `GET /images?label=` never finds the image through labels of a version (or
 * attempt) it no longer describes. Deleted first, then taken out of the set, only while the item still holds
 * the claiming version (a newer claim owns the set then, and clears it itself). Costs writes at a re-claim
 * only; label queries read nothing more.
 */
export async function clearLabelEntries(
  dynamo: DynamoDBDocumentClient,
  tableName: string,
  image: Pick<ImageItem, 'imageId' | 'sequencerKey'>,
  names: Iterable<string>,
): Promise<void> {
  const stale = [...names];
  if (stale.length === 0) return;
  await deleteLabelEntries(dynamo, tableName, image.imageId, stale);
  // Only while the claim still holds: a newer version's claim owns the set (and did its own clearing).
  await updateWhileVersion(dynamo, tableName, image, {
    expression: 'DELETE #labelIndex :stale',
    names: { '#labelIndex': 'labelIndex' },
    values: { ':stale': new Set(stale) },
  });
}

/** Deletes the entries of the listed label names (an image being deleted). */
export async function deleteLabelEntries(
  dynamo: DynamoDBDocumentClient,
  tableName: string,
  imageId: string,
  names: Iterable<string>,
): Promise<void> {
  await writeBatches(
    dynamo,
    tableName,
    [...names].map((name) => ({ DeleteRequest: { Key: imageKey(labelEntryId(imageId, name)) } })),
  );
}

type WriteRequest = { PutRequest: { Item: LabelEntry } } | { DeleteRequest: { Key: Record<string, string> } };

/** BatchWriteItem in chunks of 25, resending what DynamoDB leaves unprocessed (throttling) after a short wait. */
async function writeBatches(dynamo: DynamoDBDocumentClient, tableName: string, requests: WriteRequest[]): Promise<void> {
  for (let start = 0; start < requests.length; start += BATCH) {
    let pending: WriteRequest[] = requests.slice(start, start + BATCH);
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 8) throw new Error(`DynamoDB left ${pending.length} label-index writes unprocessed after ${attempt} attempts`);
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * 2 ** attempt)));
      const output = await callAws('DynamoDB', () => dynamo.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } })));
      pending = (output?.UnprocessedItems?.[tableName] ?? []) as WriteRequest[];
    }
  }
}
