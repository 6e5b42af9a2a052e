/**
 * Runs an index query: reads each partition newest first and merges them (a k-way merge on the upload
 * time), so a page costs reads of at most `limit` entries per partition, never a table scan.
 */
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { PARTITION_KEY } from '../../tasks/shared/image-table';
import type { ImageCard } from '../../tasks/shared/image-card';
import type { ImageStatus, ModerationVerdict } from '../../tasks/shared/types';
import type { IndexQuery } from './image-query';
import { decodeToken, encodeToken, type Positions } from './page-token';

export interface ImageRow {
  imageId: string;
  key: string;
  uploadedAt: string;
  status?: ImageStatus;
  /** Label queries: the label's confidence on this image. */
  confidence?: number;
  /** What a library grid shows (tasks/shared/image-card.ts); absent until the image is analysed. */
  faceCount?: number;
  labels?: string[];
  verdict?: ModerationVerdict;
  /** A short-lived presigned GET of the smallest thumbnail (api/search/thumbnail-urls.ts). */
  thumbnailUrl?: string;
  /** Internal: the thumbnail's key, replaced by thumbnailUrl before the page is sent. */
  thumbnailKey?: string;
}

export interface ImagePage {
  images: ImageRow[];
  nextToken?: string;
}

type Entry = Record<string, unknown>;

/** One partition, read a page at a time as the merge asks for its next entry. */
class PartitionCursor {
  private buffer: Entry[] = [];
  private done: boolean;
  /** Resume after this key: everything before it was consumed (or filtered out). */
  private position: Record<string, string> | undefined;

  constructor(
    readonly partition: string,
    start: Record<string, string> | null | undefined,
    private readonly read: (
      partition: string,
      start: Record<string, string> | undefined,
    ) => Promise<{ items: Entry[]; next?: Record<string, string> }>,
  ) {
    this.done = start === null;
    this.position = start ?? undefined;
  }

  async peek(): Promise<Entry | undefined> {
    let cursor = this.position;
    while (this.buffer.length === 0 && !this.done) {
      const { items, next } = await this.read(this.partition, cursor);
      this.buffer = items;
      this.done = next === undefined;
      cursor = next;
      // Nothing kept from that read (all filtered out): resume after it rather than read it again.
      if (items.length === 0) this.position = next;
    }
    return this.buffer[0];
  }

  take(keyOf: (entry: Entry) => Record<string, string>): Entry {
    const entry = this.buffer.shift()!;
    this.position = keyOf(entry);
    return entry;
  }

  /** null: nothing left; else where to resume (undefined: from the start). */
  resumeAt(): Record<string, string> | null | undefined {
    return this.done && this.buffer.length === 0 ? null : this.position;
  }
}

export async function queryImages(query: IndexQuery, tableName: string, dynamo: DynamoDBDocumentClient): Promise<ImagePage> {
  const positions = decodeToken(query);
  const { partitionKey, sortKey } = query.index;
  const keyOf = (entry: Entry) => ({
    [PARTITION_KEY]: String(entry[PARTITION_KEY]),
    [partitionKey]: String(entry[partitionKey]),
    [sortKey]: String(entry[sortKey]),
  });
  const lowest = query.partitions[0];
  const read = async (partition: string, start: Record<string, string> | undefined) => {
    const range =
      query.from && query.to ? ' AND #t BETWEEN :from AND :to' : query.from ? ' AND #t >= :from' : query.to ? ' AND #t <= :to' : '';
    // Only the lowest label band holds entries under the asked confidence: filter there, and only there.
    const filter = query.minConfidence !== undefined && partition === lowest && query.minConfidence > 0;
    const output = await dynamo.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: query.index.name,
        KeyConditionExpression: `#p = :p${range}`,
        ...(filter ? { FilterExpression: '#c >= :min' } : {}),
        ExpressionAttributeNames: { '#p': partitionKey, ...(range ? { '#t': sortKey } : {}), ...(filter ? { '#c': 'confidence' } : {}) },
        ExpressionAttributeValues: {
          ':p': partition,
          ...(query.from ? { ':from': query.from } : {}),
          ...(query.to ? { ':to': query.to } : {}),
          ...(filter ? { ':min': query.minConfidence } : {}),
        },
        ScanIndexForward: false,
        Limit: query.limit,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    return { items: (output.Items ?? []) as Entry[], next: output.LastEvaluatedKey as Record<string, string> | undefined };
  };
  const cursors = query.partitions.map((partition) => new PartitionCursor(partition, positions[partition], read));

  const rows: ImageRow[] = [];
  while (rows.length < query.limit) {
    const heads = await Promise.all(cursors.map((cursor) => cursor.peek()));
    let best = -1;
    for (let i = 0; i < heads.length; i++) {
      if (heads[i] && (best < 0 || newer(heads[i]!, heads[best]!, sortKey))) best = i;
    }
    if (best < 0) break;
    rows.push(toRow(cursors[best].take(keyOf), sortKey));
  }
  const next: Positions = {};
  for (const cursor of cursors) {
    const at = cursor.resumeAt();
    if (at !== undefined) next[cursor.partition] = at;
  }
  const more = cursors.some((cursor) => cursor.resumeAt() !== null);
  return { images: rows, ...(more ? { nextToken: encodeToken(query, next) } : {}) };
}

/** Newest upload first; the same instant is ordered by id, so the order is total and pages never overlap. */
function newer(a: Entry, b: Entry, sortKey: string): boolean {
  const [ta, tb] = [String(a[sortKey]), String(b[sortKey])];
  return ta !== tb ? ta > tb : String(a[PARTITION_KEY]) > String(b[PARTITION_KEY]);
}

function toRow(entry: Entry, sortKey: string): ImageRow {
  // Label entries point at their image (`imageOf`); image items are their own rows.
  const imageId = String(entry.imageOf ?? entry[PARTITION_KEY]);
  return {
    imageId,
    key: String(entry.key),
    uploadedAt: String(entry[sortKey]),
    ...(entry.status !== undefined ? { status: entry.status as ImageStatus } : {}),
    ...(typeof entry.confidence === 'number' ? { confidence: entry.confidence } : {}),
    ...cardFields(entry.card as ImageCard | undefined),
  };
}

/** The card's short fields as the row's readable ones. */
function cardFields(card: ImageCard | undefined): Partial<ImageRow> {
  if (!card) return {};
  return {
    ...(typeof card.f === 'number' ? { faceCount: card.f } : {}),
    ...(Array.isArray(card.l) ? { labels: card.l } : {}),
    ...(card.v ? { verdict: card.v } : {}),
    ...(card.t ? { thumbnailKey: card.t } : {}),
  };
}
