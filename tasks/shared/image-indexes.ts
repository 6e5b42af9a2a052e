/**
 * The query indexes of the images table (the HTTP API's find): their key design, the attributes an
 * image item carries for them, and the separate label-entry items. Design and read costs: api/README.md.
 */
import { createHash } from 'node:crypto';
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import type { ImageCard } from './image-card';
import type { ImageItem, ImageStatus, Label, ModerationVerdict } from './types';

type IndexDefinition = NonNullable<CreateTableCommandInput['GlobalSecondaryIndexes']>[number];

/** Sort key of every query index: the upload's time (the S3 event's), ISO-8601 UTC, so newest first is one scan direction. */
export const UPLOADED_AT = 'uploadedAt' as const;

/**
 * Write shards per status and per verdict. Most images are SUCCEEDED and `safe`: one partition each
 * would take every write (DynamoDB gives a partition 1,000 write units a second, and a throttled GSI
 * throttles the table). Four shards give 4,000 a second; a query reads the four and merges them.
 */
export const STATUS_SHARDS = 4;
export const VERDICT_SHARDS = 4;

/** Labels are split into confidence bands of this width, so `≥ 80 %` reads the 80 and 90 bands, never the 70s. */
export const LABEL_BAND_WIDTH = 10;

/** Every image item, by (status, shard), newest upload first. Projects what a result row shows. */
export const STATUS_TIME_INDEX = { name: 'byStatusTime', partitionKey: 'statusKey', sortKey: UPLOADED_AT } as const;
/** Items with a moderation verdict, by (verdict, shard). */
export const VERDICT_TIME_INDEX = { name: 'byVerdictTime', partitionKey: 'verdictKey', sortKey: UPLOADED_AT } as const;
/** Label entries (separate items, below), by (label, confidence band). */
export const LABEL_TIME_INDEX = { name: 'byLabelTime', partitionKey: 'labelKey', sortKey: UPLOADED_AT } as const;

/**
 * What a result row shows; projected into every query index so a page of results costs index reads only.
 * `card` (tasks/shared/image-card.ts) is what a library grid shows per image, about 70-150 bytes.
 */
export const ROW_ATTRIBUTES = ['key', 'status', 'imageOf', 'confidence', 'card'] as const;

export const QUERY_INDEXES = [STATUS_TIME_INDEX, VERDICT_TIME_INDEX, LABEL_TIME_INDEX] as const;

/** The three GSIs as CreateTable takes them. */
export function queryIndexDefinitions(): IndexDefinition[] {
  return QUERY_INDEXES.map((index) => ({
    IndexName: index.name,
    KeySchema: [
      { AttributeName: index.partitionKey, KeyType: 'HASH' },
      { AttributeName: index.sortKey, KeyType: 'RANGE' },
    ],
    Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...ROW_ATTRIBUTES] },
  }));
}

export function queryIndexAttributeDefinitions(): NonNullable<CreateTableCommandInput['AttributeDefinitions']> {
  return [UPLOADED_AT, ...QUERY_INDEXES.map((index) => index.partitionKey)].map((AttributeName) => ({ AttributeName, AttributeType: 'S' }));
}

/** The shard of an image: stable (a hash of its id), so a status change moves its one index entry, never copies it. */
export function shardOf(imageId: string, shards: number): number {
  return createHash('sha256').update(imageId).digest().readUInt32BE(0) % shards;
}

/** `SUCCEEDED#2`: the item's partition in byStatusTime. */
export function statusKey(imageId: string, status: ImageStatus): string {
  return `${status}#${shardOf(imageId, STATUS_SHARDS)}`;
}

/** `safe#1`, or undefined when moderation gave no verdict (the item then leaves byVerdictTime). */
export function verdictKey(imageId: string, verdict: ModerationVerdict | undefined): string | undefined {
  return verdict ? `${verdict}#${shardOf(imageId, VERDICT_SHARDS)}` : undefined;
}

/** Every partition of a status (or verdict): what a query reads and merges. */
export function statusPartitions(status: ImageStatus): string[] {
  return Array.from({ length: STATUS_SHARDS }, (_, shard) => `${status}#${shard}`);
}
export function verdictPartitions(verdict: ModerationVerdict): string[] {
  return Array.from({ length: VERDICT_SHARDS }, (_, shard) => `${verdict}#${shard}`);
}

/** Label names match case-insensitively (`dog` finds `Dog`). */
export function labelName(name: string): string {
  return name.trim().toLowerCase();
}

/** The band a confidence falls in: 87.4 → 80; 100 → 90 (the top band holds 90-100). */
export function labelBand(confidence: number): number {
  return Math.min(100 - LABEL_BAND_WIDTH, Math.floor(confidence / LABEL_BAND_WIDTH) * LABEL_BAND_WIDTH);
}

/** `label#dog#80`: the partition in byLabelTime of a label at a confidence. */
export function labelKey(name: string, confidence: number): string {
  return `label#${labelName(name)}#${labelBand(confidence)}`;
}

/** The partitions holding a label at `minConfidence` or more: its band and every band above it. */
export function labelPartitions(name: string, minConfidence: number): string[] {
  const bands: string[] = [];
  for (let band = labelBand(minConfidence); band < 100; band += LABEL_BAND_WIDTH) bands.push(`label#${labelName(name)}#${band}`);
  return bands;
}

/**
 * The table key of one label entry: `#label/<name>/<imageId>`. Deterministic, so writing it twice
 * is one item and delete can name it from the label alone. `#` never starts an imageId (`bucket/key`,
 * and bucket names start with a letter or digit), so an entry can never collide with an image.
 */
export function labelEntryId(imageId: string, name: string): string {
  return `${LABEL_ENTRY_PREFIX}${labelName(name)}/${imageId}`;
}

/** What every label entry's imageId starts with, and no image's does. */
export const LABEL_ENTRY_PREFIX = '#label/';

/** True for a label-entry item. A scan for images skips them with scanImages (image-scan.ts). */
export function isLabelEntryId(id: string): boolean {
  return id.startsWith(LABEL_ENTRY_PREFIX);
}

/** Each normalized label name (parents included) with its highest confidence. */
export function labelConfidences(labels: Label[] | undefined): Map<string, number> {
  const best = new Map<string, number>();
  for (const label of labels ?? []) {
    for (const name of [label.name, ...(label.parents ?? [])]) {
      const normalized = labelName(name);
      if (normalized && (best.get(normalized) ?? -1) < label.confidence) best.set(normalized, label.confidence);
    }
  }
  return best;
}

/** A label entry: its own item so an image can be in as many label partitions as it has labels. */
export interface LabelEntry {
  imageId: string;
  /** The image it points to. */
  imageOf: string;
  labelKey: string;
  uploadedAt: string;
  confidence: number;
  key: string;
  /** The image's card, so a label query's rows show what a grid needs (absent when the item has none). */
  card?: ImageCard;
}

/**
 * The entries of an image's labels (a label's parents are entries too, at the label's confidence:
 * a "Dog" is found by "Animal"). One per name, the highest confidence wins.
 */
export function labelEntries(item: Pick<ImageItem, 'imageId' | 'key' | 'uploadedAt' | 'labels' | 'card'>): LabelEntry[] {
  if (!item.uploadedAt) return [];
  return [...labelConfidences(item.labels)].map(([name, confidence]) => ({
    imageId: labelEntryId(item.imageId, name),
    imageOf: item.imageId,
    labelKey: labelKey(name, confidence),
    uploadedAt: item.uploadedAt!,
    confidence,
    key: item.key,
    ...(item.card ? { card: item.card } : {}),
  }));
}
