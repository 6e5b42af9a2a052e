/** The images table's key schema, index and attribute names: the one place that knows them. */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { sequencerKey } from './sequencer';
import type { ImageItem, ImageRef } from './types';

/** Partition key of the table: `${bucket}/${key}`, one item per object key (not per version). */
export const PARTITION_KEY = 'imageId' as const;

/** GSI for listing images by status, most recently updated last: `status` (partition) + `updatedAt` (sort). */
export const STATUS_INDEX = {
  name: 'byStatus',
  partitionKey: 'status',
  sortKey: 'updatedAt',
} as const;
export const STATUS_INDEX_NAME = STATUS_INDEX.name;

/**
 * Attributes that describe one analysis attempt. A claim removes them all, so a new version of an
 * object (or a replay) never shows the previous attempt's faces or failure next to its own status.
 */
export const RESULT_ATTRIBUTES = [
  'format',
  'width',
  'height',
  'statusReason',
  'branches',
  'thumbnails',
  'faces',
  'faceCount',
  'labels',
  'text',
  'moderation',
  'rawResults',
  'analysisObject',
  'failure',
  'completedAt',
] as const satisfies readonly (keyof ImageItem)[];

/**
 * The table as infra/ deploys it (on-demand, GSI projecting all attributes), as a CreateTable input:
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
    ],
    KeySchema: [{ AttributeName: PARTITION_KEY, KeyType: 'HASH' }],
    GlobalSecondaryIndexes: [
      {
        IndexName: STATUS_INDEX.name,
        KeySchema: [
          { AttributeName: STATUS_INDEX.partitionKey, KeyType: 'HASH' },
          { AttributeName: STATUS_INDEX.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
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
export type ImageIdentity = Pick<ImageItem, 'bucket' | 'key' | 'versionId' | 'etag' | 'size' | 'sequencer' | 'sequencerKey'>;

export function imageIdentity(image: ImageRef): ImageIdentity {
  return {
    bucket: image.bucket,
    key: image.key,
    versionId: image.versionId,
    etag: image.etag,
    size: image.size,
    sequencer: image.sequencer,
    sequencerKey: sequencerKey(image.sequencer),
  };
}
