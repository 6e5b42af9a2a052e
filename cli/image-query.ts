/**
 * Reads image items for `picflow list`, `show` and `export`: one item by its image id or key, and every
 * item matching a filter (status, label, updated since), page by page so memory stays flat.
 * FAILED and PARTIAL are read through the sparse byStatus index, newest first; anything else scans
 * the table (there is no index over every status yet: issue 8's API adds the label and status indexes).
 */
import { GetItemCommand, QueryCommand, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { InvalidArgumentError } from 'commander';
import { isLabelEntryId } from '../tasks/shared/image-indexes';
import { LISTED_STATUSES, STATUS_INDEX } from '../tasks/shared/image-table';
import type { ImageItem, ImageStatus } from '../tasks/shared/types';
import type { ImageSource } from './image-source';

export const STATUSES: readonly ImageStatus[] = ['SUCCEEDED', 'PARTIAL', 'FAILED', 'PROCESSING'];

export interface ImageFilter {
  status?: ImageStatus;
  /** A label (or a label's parent) the image must have, any case. */
  label?: string;
  /** Only items updated at or after this ISO time. */
  since?: string;
}

/** The item of `image`: an image id (`bucket/key`), a key in the stack's bucket, or a name under its upload prefix. */
export async function getImage(source: ImageSource, image: string): Promise<ImageItem | undefined> {
  const candidates = [
    image.startsWith(`${source.bucket}/`) ? image : undefined,
    `${source.bucket}/${image}`,
    `${source.bucket}/${source.uploadPrefix}${image}`,
  ];
  for (const imageId of new Set(candidates.filter((c): c is string => c !== undefined))) {
    const { Item } = await source.dynamodb.send(
      new GetItemCommand({ TableName: source.tableName, Key: { imageId: { S: imageId } }, ConsistentRead: true }),
    );
    if (Item) return unmarshall(Item) as ImageItem;
  }
  return undefined;
}

/** Every item that matches, page by page (unordered from a scan; newest first from the index). */
export async function* matchingImages(source: ImageSource, filter: ImageFilter): AsyncGenerator<ImageItem> {
  const pages = isListed(filter.status) ? indexPages(source, filter.status, filter.since) : scanPages(source);
  for await (const items of pages) {
    for (const item of items) if (matches(item, filter)) yield item;
  }
}

/** The `limit` most recently updated matching items, newest first; only `limit` items are held. */
export async function recentImages(source: ImageSource, filter: ImageFilter, limit: number): Promise<ImageItem[]> {
  const newest: ImageItem[] = [];
  for await (const item of matchingImages(source, filter)) {
    const at = newest.findIndex((other) => other.updatedAt < item.updatedAt);
    if (at === -1) newest.push(item);
    else newest.splice(at, 0, item);
    if (newest.length > limit) newest.pop();
    // The index yields newest first: once `limit` are in, nothing later can displace them.
    if (isListed(filter.status) && newest.length === limit) break;
  }
  return newest;
}

export function matches(item: ImageItem, filter: ImageFilter): boolean {
  if (filter.status && item.status !== filter.status) return false;
  if (filter.since && !(item.updatedAt >= filter.since)) return false;
  if (filter.label) {
    const wanted = filter.label.toLowerCase();
    if (!(item.labels ?? []).some((l) => l.name.toLowerCase() === wanted || l.parents.some((p) => p.toLowerCase() === wanted)))
      return false;
  }
  return true;
}

function isListed(status: ImageStatus | undefined): status is (typeof LISTED_STATUSES)[number] {
  return (LISTED_STATUSES as readonly (ImageStatus | undefined)[]).includes(status);
}

async function* scanPages(source: ImageSource): AsyncGenerator<ImageItem[]> {
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await source.dynamodb.send(new ScanCommand({ TableName: source.tableName, ExclusiveStartKey: start, Limit: 100 }));
    // Label entries (the HTTP API's label index) share the table: they are not images.
    yield (page.Items ?? []).filter((i) => !isLabelEntryId(i.imageId?.S ?? '')).map((i) => unmarshall(i) as ImageItem);
    start = page.LastEvaluatedKey;
  } while (start);
}

/** The index projects only keys, reason and execution: each entry's full item is read with GetItem. */
async function* indexPages(source: ImageSource, status: string, since: string | undefined): AsyncGenerator<ImageItem[]> {
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await source.dynamodb.send(
      new QueryCommand({
        TableName: source.tableName,
        IndexName: STATUS_INDEX.name,
        KeyConditionExpression: since ? '#s = :s AND #u >= :since' : '#s = :s',
        ExpressionAttributeNames: { '#s': STATUS_INDEX.partitionKey, ...(since ? { '#u': STATUS_INDEX.sortKey } : {}) },
        ExpressionAttributeValues: { ':s': { S: status }, ...(since ? { ':since': { S: since } } : {}) },
        ScanIndexForward: false,
        ExclusiveStartKey: start,
        Limit: 25,
      }),
    );
    const items: ImageItem[] = [];
    for (const entry of page.Items ?? []) {
      const { Item } = await source.dynamodb.send(new GetItemCommand({ TableName: source.tableName, Key: { imageId: entry.imageId } }));
      if (Item) items.push(unmarshall(Item) as ImageItem);
    }
    yield items;
    start = page.LastEvaluatedKey;
  } while (start);
}

/** --status: one of the item statuses, any case. */
export function parseStatus(value: string): ImageStatus {
  const status = value.toUpperCase() as ImageStatus;
  if (!STATUSES.includes(status)) throw new InvalidArgumentError(`expected one of ${STATUSES.join(', ')}, got "${value}"`);
  return status;
}

/** --since: an ISO date or time (`2026-11-27`, `2026-11-27T14:00Z`) or an age (`30m`, `12h`, `7d`), as an ISO time. */
export function parseSince(value: string, now = Date.now()): string {
  const age = /^(\d+)\s*([smhdw])$/.exec(value.trim());
  if (age) {
    const unit = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 }[age[2] as 's' | 'm' | 'h' | 'd' | 'w'];
    return new Date(now - Number(age[1]) * unit * 1000).toISOString();
  }
  const time = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(time))
    throw new InvalidArgumentError(`expected a date (2026-11-27, 2026-11-27T14:00Z) or an age (30m, 12h, 7d), got "${value}"`);
  return new Date(time).toISOString();
}

/** --limit: a positive whole number. */
export function parseLimit(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected a positive whole number, got "${value}"`);
  return n;
}
