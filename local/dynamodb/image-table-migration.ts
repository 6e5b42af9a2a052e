/**
 * Brings a local images table made by an earlier release up to imageTableDefinition: today, from the
 * `byStatus` index on `status` (projecting ALL) to the sparse one on `listedStatus`. dynalite accepts
 * UpdateTable's GlobalSecondaryIndexUpdates Create/Delete but ignores them (dynalite 4.0.0
 * actions/updateTable.js only applies throughput), so the table is rebuilt: every item is copied to a
 * side table with the new definition (gaining `listedStatus`), the table is recreated and the items
 * copied back. Each step can be interrupted and resumed on the next start: the side table is only
 * dropped once the table holds everything again.
 */
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  paginateScan,
  type AttributeValue,
  type DynamoDBClient,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { statusKey } from '../../tasks/shared/image-indexes';
import { imageTableDefinition, statusIndexDefinition, statusIndexValue } from '../../tasks/shared/image-table';
import type { ImageStatus } from '../../tasks/shared/types';

type Item = Record<string, AttributeValue>;

/** The side table holding the copy while the table is rebuilt. */
export function migrationTableName(tableName: string): string {
  return `${tableName}.migrating`;
}

/** The table, or undefined when it does not exist. */
export async function describeTable(client: DynamoDBClient, tableName: string): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

/**
 * True when the table has every index imageTableDefinition gives it (byStatus, and the HTTP API's
 * query indexes), each with its key schema and projection.
 */
export function hasCurrentStatusIndex(table: TableDescription): boolean {
  return (imageTableDefinition(table.TableName ?? '').GlobalSecondaryIndexes ?? []).every((wanted) => hasIndex(table, wanted));
}

function hasIndex(table: TableDescription, wanted: ReturnType<typeof statusIndexDefinition>): boolean {
  const index = table.GlobalSecondaryIndexes?.find((i) => i.IndexName === wanted.IndexName);
  if (!index) return false;
  const keys = (schema: { AttributeName?: string; KeyType?: string }[] | undefined) =>
    JSON.stringify((schema ?? []).map(({ AttributeName, KeyType }) => [AttributeName, KeyType]));
  const projection = (p: { ProjectionType?: string; NonKeyAttributes?: string[] } | undefined) =>
    JSON.stringify([p?.ProjectionType, [...(p?.NonKeyAttributes ?? [])].sort()]);
  return keys(index.KeySchema) === keys(wanted.KeySchema) && projection(index.Projection) === projection(wanted.Projection);
}

/** The item as the current writers would have left it: `listedStatus` present exactly for listed statuses. */
export function withListedStatus(item: Item): Item {
  const { listedStatus: _old, ...rest } = item;
  const listed = item.status?.S ? statusIndexValue(item.status.S as ImageStatus) : undefined;
  const withListed: Item = listed ? { ...rest, listedStatus: { S: listed } } : rest;
  // Items from before the query indexes join byStatusTime (upload time: their first claim's).
  if (!item.status?.S || !item.imageId?.S || item.statusKey) return withListed;
  return {
    ...withListed,
    statusKey: { S: statusKey(item.imageId.S, item.status.S as ImageStatus) },
    ...(item.uploadedAt || !item.createdAt ? {} : { uploadedAt: item.createdAt }),
  };
}

/**
 * Rebuilds `tableName` with the current definition when it (or an interrupted migration) needs it.
 * Returns how many items were migrated, or 0 when there was nothing to do.
 */
export async function migrateImageTable(client: DynamoDBClient, tableName: string): Promise<number> {
  const side = migrationTableName(tableName);
  const table = await describeTable(client, tableName);
  const sideTable = await describeTable(client, side);

  if (table && hasCurrentStatusIndex(table) && !sideTable) return 0;

  if (table && !hasCurrentStatusIndex(table)) {
    // Step 1 (again, if a previous run stopped in it): copy everything aside, with the new attribute.
    if (sideTable) await dropTable(client, side);
    await createTable(client, side);
    await copyItems(client, tableName, side, withListedStatus);
    await dropTable(client, tableName);
  } else if (table) {
    // The side table is complete (step 1 finished before the table was deleted) but the copy back
    // may not be: start the copy back over from an empty table.
    await dropTable(client, tableName);
  }
  // Step 2: the table again, with the current definition, and everything copied back.
  await createTable(client, tableName);
  const copied = await copyItems(client, side, tableName, (item) => item);
  await dropTable(client, side);
  return copied;
}

/** CreateTable, then wait until it is ACTIVE (dynalite creates on a timer, even at 0 ms). */
export async function createTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(new CreateTableCommand(imageTableDefinition(tableName)));
  await waitFor(async () => (await describeTable(client, tableName))?.TableStatus === 'ACTIVE', `${tableName} to become ACTIVE`);
}

/**
 * DeleteTable, then wait until it is gone: dynalite removes the table's entry on a timer, which would
 * otherwise fire after the next CreateTable of the same name and delete the new table's entry.
 */
async function dropTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(new DeleteTableCommand({ TableName: tableName }));
  await waitFor(async () => (await describeTable(client, tableName)) === undefined, `${tableName} to be deleted`);
}

async function waitFor(done: () => Promise<boolean>, what: string): Promise<void> {
  for (let attempt = 0; attempt < 500; attempt++) {
    if (await done()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`local DynamoDB: gave up waiting for ${what}`);
}

async function copyItems(client: DynamoDBClient, from: string, to: string, transform: (item: Item) => Item): Promise<number> {
  let copied = 0;
  for await (const page of paginateScan({ client }, { TableName: from, ConsistentRead: true })) {
    const items = (page.Items ?? []).map(transform);
    for (let start = 0; start < items.length; start += 25) {
      await writeAll(client, to, items.slice(start, start + 25));
    }
    copied += items.length;
  }
  return copied;
}

/** BatchWriteItem until nothing is left unprocessed. */
async function writeAll(client: DynamoDBClient, tableName: string, items: Item[]): Promise<void> {
  let requests = items.map((Item) => ({ PutRequest: { Item } }));
  while (requests.length > 0) {
    const output = await client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: requests } }));
    requests = (output.UnprocessedItems?.[tableName] ?? []) as typeof requests;
  }
}
