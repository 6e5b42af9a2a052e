/**
 * The one way to scan the images table for images. Reserved entries share the table: the query
 * index's label entries (`#label/<name>/<imageId>`, image-indexes.ts) and the face collection's
 * `#person/` and `#external/` entries (faces.ts), all starting with `#`; this scan has DynamoDB drop them, so no caller
 * (the CLI's list, local recovery, tests) can mistake one for an image or has to filter them itself.
 */
import { type AttributeValue, type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { PARTITION_KEY } from './image-table';
import type { ImageItem } from './types';

/** What every reserved entry's key starts with and no image's does (bucket names start with a letter or digit). */
export const RESERVED_ENTRY_PREFIX = '#';

export interface ImageScanOptions {
  /** The caller's own condition on the images, ANDed with the one that drops label entries. */
  filter?: { expression: string; names?: Record<string, string>; values?: Record<string, AttributeValue> };
  consistentRead?: boolean;
  /** Items read per request (DynamoDB applies the filter after reading them). */
  limit?: number;
}

/** The table's image items, one page per Scan request (a page may be empty when its items were all filtered out). */
export async function* scanImages(
  dynamodb: DynamoDBClient,
  tableName: string,
  options: ImageScanOptions = {},
): AsyncGenerator<ImageItem[]> {
  const { filter } = options;
  const notLabelEntry = 'NOT begins_with(#picflowImageId, :picflowLabelEntry)';
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await dynamodb.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: filter ? `${notLabelEntry} AND (${filter.expression})` : notLabelEntry,
        ExpressionAttributeNames: { '#picflowImageId': PARTITION_KEY, ...filter?.names },
        ExpressionAttributeValues: { ':picflowLabelEntry': { S: RESERVED_ENTRY_PREFIX }, ...filter?.values },
        ...(options.consistentRead ? { ConsistentRead: true } : {}),
        ...(options.limit ? { Limit: options.limit } : {}),
        ExclusiveStartKey: start,
      }),
    );
    yield (page.Items ?? []).map((item) => unmarshall(item) as ImageItem);
    start = page.LastEvaluatedKey;
  } while (start);
}

/** Every image item the scan finds, in one array (recovery's PROCESSING items; tests). */
export async function allImages(dynamodb: DynamoDBClient, tableName: string, options: ImageScanOptions = {}): Promise<ImageItem[]> {
  const items: ImageItem[] = [];
  for await (const page of scanImages(dynamodb, tableName, options)) items.push(...page);
  return items;
}
