/**
 * An in-process DynamoDB-compatible server (dynalite, in memory) for tests that must run condition
 * expressions for real. Points the shared DocumentClient at it through AWS_ENDPOINT_URL_DYNAMODB.
 * Note: dynalite answers errors with empty messages; the error name (ConditionalCheckFailedException) still arrives.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { CreateTableCommand, DeleteTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { resetClients } from '../../tasks/shared/aws-clients';
import { imageTableDefinition } from '../../tasks/shared/image-table';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as (options: Record<string, unknown>) => Server;

export interface LocalDynamo {
  endpoint: string;
  /** A raw client on the server, for setup and inspection. */
  client: DynamoDBClient;
  stop(): Promise<void>;
}

/** Starts dynalite on 127.0.0.1 (random port) and points the tasks' clients at it. */
export async function startDynalite(): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const previous = process.env.AWS_ENDPOINT_URL_DYNAMODB;
  process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoint;
  resetClients();
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  return {
    endpoint,
    client,
    async stop() {
      client.destroy();
      if (previous === undefined) delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
      else process.env.AWS_ENDPOINT_URL_DYNAMODB = previous;
      resetClients();
      // Keep-alive sockets would otherwise hold close() open until they time out.
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Creates the images table as deployed (tasks/shared/image-table.ts) and waits until it is ACTIVE. */
export async function createImageTable(local: LocalDynamo, tableName: string): Promise<void> {
  await local.client.send(new CreateTableCommand(imageTableDefinition(tableName)));
  for (let attempt = 0; attempt < 100; attempt++) {
    const { Table } = await local.client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`table ${tableName} did not become ACTIVE`);
}

export async function deleteTable(local: LocalDynamo, tableName: string): Promise<void> {
  await local.client.send(new DeleteTableCommand({ TableName: tableName }));
}

export interface ImageTableOnDynalite extends LocalDynamo {
  /** A DocumentClient on the server, for reading items back. */
  documents: DynamoDBDocumentClient;
}

/**
 * Dynalite with the images table `tableName` created and named in TABLE_NAME, as the bookkeeping tasks read it.
 * stop() clears TABLE_NAME and stops the server.
 */
export async function startImageTable(tableName: string): Promise<ImageTableOnDynalite> {
  const local = await startDynalite();
  await createImageTable(local, tableName);
  process.env.TABLE_NAME = tableName;
  return {
    ...local,
    documents: DynamoDBDocumentClient.from(local.client),
    async stop() {
      delete process.env.TABLE_NAME;
      await local.stop();
    },
  };
}
