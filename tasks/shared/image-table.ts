/** The images table's key schema, index and attribute names: the one place that knows them. */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { queryIndexAttributeDefinitions, queryIndexDefinitions } from './image-indexes';
import { sequencerKey } from './sequencer';
import type { ImageItem, ImageRef, ImageStatus } from './types';

/** Partition key of the table: `${bucket}/${key}`, one item per object key (not per version). */
export const PARTITION_KEY = 'imageId' as const;

/**
 * GSI listing the images that need attention, oldest update first: `listedStatus` (partition) +
 * `updatedAt` (sort). It is SPARSE: only items whose status is in LISTED_STATUSES carry
 * `listedStatus` (`status` itself stays on every item). Keying it on `status` put every write into one
 * of four partitions, most of them into SUCCEEDED (a hot partition: 1,000 write units a second per
 * partition, and a throttled index throttles the table's writes), and projecting ALL doubled each
 * write's cost. Now a successful image never writes to it, and an entry holds only what a failures
 * list shows: the keys, the reason and the execution to open.
 */
export const STATUS_INDEX = {
  name: 'byStatus',
  partitionKey: 'listedStatus',
  sortKey: 'updatedAt',
  projection: ['statusReason', 'executionId'],
} as const;

/**
 * The statuses the byStatus index lists. A later need (an HTTP API listing any status by time) adds
 * a status here, and only here, through statusIndexValue; a high-volume status such as SUCCEEDED
 * should then get a sharded value (e.g. `SUCCEEDED#<day>`) so it does not recreate the hot partition.
 */
export const LISTED_STATUSES = ['FAILED', 'PARTIAL'] as const satisfies readonly ImageStatus[];
export type ListedStatus = (typeof LISTED_STATUSES)[number];

/** The `listedStatus` an item with this status carries, or undefined: the writer must then REMOVE it. */
export function statusIndexValue(status: ImageStatus): ListedStatus | undefined {
  return (LISTED_STATUSES as readonly ImageStatus[]).includes(status) ? (status as ListedStatus) : undefined;
}

/**
 * Attributes that describe one analysis attempt. A claim removes them all, so a new version of an
 * object (or a replay) never shows the previous attempt's faces or failure next to its own status,
 * and leaves the byStatus index (`listedStatus`) while it is PROCESSING.
 */
export const RESULT_ATTRIBUTES = [
  'listedStatus',
  'verdictKey',
  'format',
  'width',
  'height',
  'statusReason',
  'branches',
  'thumbnails',
  'faces',
  'faceCount',
  'people',
  'celebrities',
  'labels',
  'colors',
  'imageQuality',
  'text',
  'moderation',
  'card',
  'rawResults',
  'analysisObject',
  'failure',
  'completedAt',
] as const satisfies readonly (keyof ImageItem)[];

/**
 * The table as infra/ deploys it (on-demand, the sparse byStatus index), as a CreateTable input:
 * the local runtime and the tests create exactly this against dynalite.
 */
export function imageTableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: PARTITION_KEY, AttributeType: 'S' },
      { AttributeName: STATUS_INDEX.partitionKey, AttributeType: 'S' },
      { AttributeName: STATUS_INDEX.sortKey, AttributeType: 'S' },
      ...queryIndexAttributeDefinitions(),
    ],
    KeySchema: [{ AttributeName: PARTITION_KEY, KeyType: 'HASH' }],
    // byStatus for the failures lists; the query indexes for the HTTP API (tasks/shared/image-indexes.ts).
    GlobalSecondaryIndexes: [statusIndexDefinition(), ...queryIndexDefinitions()],
  };
}

/** The byStatus index as CreateTable (and UpdateTable's Create) takes it. */
export function statusIndexDefinition(): NonNullable<CreateTableCommandInput['GlobalSecondaryIndexes']>[number] {
  return {
    IndexName: STATUS_INDEX.name,
    KeySchema: [
      { AttributeName: STATUS_INDEX.partitionKey, KeyType: 'HASH' },
      { AttributeName: STATUS_INDEX.sortKey, KeyType: 'RANGE' },
    ],
    Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...STATUS_INDEX.projection] },
  };
}

/** The key object of an image's item. */
export function imageKey(imageId: string): Record<typeof PARTITION_KEY, string> {
  return { [PARTITION_KEY]: imageId };
}

export interface UpdateParts {
  UpdateExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, unknown>;
}

/**
 * Builds an UpdateItem expression. Every attribute goes through `#name` / `:name` placeholders
 * because `status`, `key`, `size` and `text` are DynamoDB reserved words. An `undefined` value in
 * `set` means "must not exist" and becomes a REMOVE (DocumentClient cannot store undefined, and a
 * stale value would be worse than none). Condition placeholders should use other value names
 * (`:if...`) so they never collide with these.
 */
export function buildUpdate(parts: {
  set: Record<string, unknown>;
  setIfNotExists?: Record<string, unknown>;
  remove?: readonly string[];
}): UpdateParts {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets: string[] = [];
  const removes = new Set<string>();
  for (const [name, value] of Object.entries(parts.set)) {
    if (value === undefined) {
      removes.add(name);
      continue;
    }
    names[`#${name}`] = name;
    values[`:${name}`] = value;
    sets.push(`#${name} = :${name}`);
  }
  for (const [name, value] of Object.entries(parts.setIfNotExists ?? {})) {
    names[`#${name}`] = name;
    values[`:${name}`] = value;
    sets.push(`#${name} = if_not_exists(#${name}, :${name})`);
  }
  for (const name of parts.remove ?? []) {
    if (!(`#${name}` in names)) removes.add(name);
  }
  for (const name of removes) names[`#${name}`] = name;
  const clauses = [
    sets.length > 0 ? `SET ${sets.join(', ')}` : '',
    removes.size > 0 ? `REMOVE ${[...removes].map((name) => `#${name}`).join(', ')}` : '',
  ].filter(Boolean);
  return { UpdateExpression: clauses.join(' '), ExpressionAttributeNames: names, ExpressionAttributeValues: values };
}

/**
 * True for DynamoDB's "the condition was false" error, raw from the SDK or renamed by callAws
 * (`DynamoDB.ConditionalCheckFailedException`). It is an answer, not a failure: callers handle it.
 */
export function isConditionalCheckFailed(error: unknown): boolean {
  const name = (error as { name?: string } | undefined)?.name;
  return name === 'ConditionalCheckFailedException' || name === 'DynamoDB.ConditionalCheckFailedException';
}

/** The attributes that say which object version an item describes; every write sets all of them. */
export type ImageIdentity = Pick<ImageItem, 'bucket' | 'key' | 'versionId' | 'etag' | 'size' | 'sequencer' | 'sequencerKey' | 'uploadedAt'>;

export function imageIdentity(image: ImageRef): ImageIdentity {
  return {
    bucket: image.bucket,
    key: image.key,
    versionId: image.versionId,
    etag: image.etag,
    size: image.size,
    sequencer: image.sequencer,
    sequencerKey: sequencerKey(image.sequencer),
    // The version's upload time: the query indexes' sort key.
    uploadedAt: image.eventTime,
  };
}
