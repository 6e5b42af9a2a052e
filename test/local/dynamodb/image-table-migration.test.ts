/**
 * A .picflow data directory made by the previous release holds the images table with the old byStatus
 * index (on `status`, projecting ALL). ensureImageTable must bring it to the sparse index on a real
 * dynalite store on disk, keep every item, and survive an interruption.
 */
import {
  CreateTableCommand,
  waitUntilTableExists,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureImageTable, startDynamoServer, type DynamoServer } from '../../../local/dynamodb/dynamodb-server';
import { hasCurrentStatusIndex, migrationTableName } from '../../../local/dynamodb/image-table-migration';
import { statusIndexDefinition, imageTableDefinition, STATUS_INDEX } from '../../../tasks/shared/image-table';
import { STATUS_TIME_INDEX, statusKey } from '../../../tasks/shared/image-indexes';
import type { ImageStatus } from '../../../tasks/shared/types';

const TABLE = 'picflow-images';

/** The table exactly as the previous release created it. */
const PREVIOUS_DEFINITION = {
  TableName: TABLE,
  BillingMode: 'PAY_PER_REQUEST' as const,
  AttributeDefinitions: [
    { AttributeName: 'imageId', AttributeType: 'S' as const },
    { AttributeName: 'status', AttributeType: 'S' as const },
    { AttributeName: 'updatedAt', AttributeType: 'S' as const },
  ],
  KeySchema: [{ AttributeName: 'imageId', KeyType: 'HASH' as const }],
  GlobalSecondaryIndexes: [
    {
      IndexName: 'byStatus',
      KeySchema: [
        { AttributeName: 'status', KeyType: 'HASH' as const },
        { AttributeName: 'updatedAt', KeyType: 'RANGE' as const },
      ],
      Projection: { ProjectionType: 'ALL' as const },
    },
  ],
};

const STATUSES = ['SUCCEEDED', 'PARTIAL', 'FAILED', 'PROCESSING'];
const item = (n: number) => ({
  imageId: { S: `picflow-local/uploads/${n}.jpg` },
  status: { S: STATUSES[n % 4] },
  statusReason: { S: `reason ${n}` },
  executionId: { S: `exec-${n}` },
  faces: { L: [{ M: { confidence: { N: '99.5' } } }] },
  updatedAt: { S: `2026-11-01T10:00:${String(n % 60).padStart(2, '0')}.000Z` },
});

describe('Function: ensureImageTable on a data directory of the previous release', () => {
  let directory: string;
  let server: DynamoServer;
  let client: DynamoDBClient;

  const open = async () => {
    server = await startDynamoServer({ directory });
    client = new DynamoDBClient({
      endpoint: server.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
  };
  const close = async () => {
    client.destroy();
    await server.close();
  };
  const scanAll = async (tableName: string) =>
    (await client.send(new ScanCommand({ TableName: tableName, ConsistentRead: true }))).Items ?? [];
  const listed = async (status: string) =>
    (
      await client.send(
        new QueryCommand({
          TableName: TABLE,
          IndexName: STATUS_INDEX.name,
          KeyConditionExpression: '#k = :s',
          ExpressionAttributeNames: { '#k': STATUS_INDEX.partitionKey },
          ExpressionAttributeValues: { ':s': { S: status } },
        }),
      )
    ).Items ?? [];

  beforeEach(async () => {
    directory = mkdtempSync(join(tmpdir(), 'picflow-dynamo-migration-'));
    await open();
    await client.send(new CreateTableCommand(PREVIOUS_DEFINITION));
    // dynalite makes a table ACTIVE on a timer (even at 0 ms): a PutItem right away can race it under load.
    await waitUntilTableExists({ client, maxWaitTime: 10, minDelay: 0.05, maxDelay: 0.1 }, { TableName: TABLE });
    for (let n = 0; n < 60; n++) await client.send(new PutItemCommand({ TableName: TABLE, Item: item(n) }));
  });

  afterEach(async () => {
    await close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('rebuilds the byStatus index as the sparse one, keeping every item, and survives a restart', async () => {
    // Prepare
    const before = await scanAll(TABLE);

    // Act: the next `picflow dev` start on this directory, then one more.
    await ensureImageTable(client, TABLE);
    await close();
    await open();
    await ensureImageTable(client, TABLE);

    // Assess
    const { Table } = await client.send(new DescribeTableCommand({ TableName: TABLE }));
    expect(hasCurrentStatusIndex(Table!)).toBe(true);
    const after = await scanAll(TABLE);
    const byId = (items: typeof after) => Object.fromEntries(items.map((i) => [i.imageId.S, i]));
    // Every item also joins the HTTP API's status index (tasks/shared/image-indexes.ts).
    const expected = before.map((i) => ({
      ...(['FAILED', 'PARTIAL'].includes(i.status.S!) ? { ...i, listedStatus: { S: i.status.S! } } : i),
      statusKey: { S: statusKey(i.imageId.S!, i.status.S as ImageStatus) },
    }));
    expect(byId(after)).toEqual(byId(expected));
    expect((await listed('FAILED')).length).toBe(15);
    expect((await listed('PARTIAL')).length).toBe(15);
    expect(await listed('SUCCEEDED')).toEqual([]);
    expect(await listed('PROCESSING')).toEqual([]);
  });

  it('finishes a migration interrupted after the copy aside (table already dropped)', async () => {
    // Prepare: what a crash between dropping the table and copying back leaves: only the side table.
    const before = await scanAll(TABLE);
    await ensureImageTable(client, TABLE);
    const side = migrationTableName(TABLE);
    await client.send(new CreateTableCommand(imageTableDefinition(side)));
    await waitUntilTableExists({ client, maxWaitTime: 10, minDelay: 0.05, maxDelay: 0.1 }, { TableName: side });
    for (const i of await scanAll(TABLE)) await client.send(new PutItemCommand({ TableName: side, Item: i }));
    await client.send(new DeleteTableCommand({ TableName: TABLE }));
    while ((await client.send(new ListTablesCommand({}))).TableNames?.includes(TABLE)) await new Promise((r) => setTimeout(r, 10));

    // Act
    await ensureImageTable(client, TABLE);

    // Assess
    expect((await scanAll(TABLE)).length).toBe(before.length);
    const tables = await client.send(new ListTablesCommand({}));
    expect(tables.TableNames).toEqual([TABLE]);
  });

  it('adds the query indexes to a table that has only the sparse byStatus index (the release before the HTTP API)', async () => {
    // Prepare
    const name = 'images-without-query-indexes';
    const definition = imageTableDefinition(name);
    await client.send(
      new CreateTableCommand({
        ...definition,
        AttributeDefinitions: definition.AttributeDefinitions!.filter((a) =>
          ['imageId', 'listedStatus', 'updatedAt'].includes(a.AttributeName!),
        ),
        GlobalSecondaryIndexes: [statusIndexDefinition()],
      }),
    );
    await waitUntilTableExists({ client, maxWaitTime: 10, minDelay: 0.05, maxDelay: 0.1 }, { TableName: name });
    await client.send(new PutItemCommand({ TableName: name, Item: { ...item(0), createdAt: { S: '2026-11-01T09:00:00.000Z' } } }));

    // Act
    await ensureImageTable(client, name);

    // Assess
    const page = await client.send(
      new QueryCommand({
        TableName: name,
        IndexName: STATUS_TIME_INDEX.name,
        KeyConditionExpression: '#k = :k',
        ExpressionAttributeNames: { '#k': STATUS_TIME_INDEX.partitionKey },
        ExpressionAttributeValues: { ':k': { S: statusKey('picflow-local/uploads/0.jpg', 'SUCCEEDED') } },
      }),
    );
    expect(page.Items?.map((i) => [i.imageId.S, i.uploadedAt?.S])).toEqual([['picflow-local/uploads/0.jpg', '2026-11-01T09:00:00.000Z']]);
  });

  it('creates the table with the sparse index in a new data directory', async () => {
    // Prepare
    const name = 'fresh-images';

    // Act
    await ensureImageTable(client, name);

    // Assess
    const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
    expect(hasCurrentStatusIndex(Table!)).toBe(true);
  });
});
