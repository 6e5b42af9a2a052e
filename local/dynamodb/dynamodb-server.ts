/**
 * The local DynamoDB-compatible store: dynalite (LevelDB on disk) on loopback, so items survive a
 * restart. The task code reaches it through @aws-sdk/client-dynamodb with an endpoint override.
 * Not implemented by dynalite, and so not used by picflow: transactions, TTL, PartiQL, streams.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createTable, describeTable, migrateImageTable, migrationTableName } from './image-table-migration';

// dynalite ships no type declarations; it returns a plain http.Server.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as (options: Record<string, unknown>) => Server;

export interface DynamoServerOptions {
  /** LevelDB directory. */
  directory: string;
  port?: number;
  host?: string;
}

export interface DynamoServer {
  endpoint: string;
  close(): Promise<void>;
}

export async function startDynamoServer(options: DynamoServerOptions): Promise<DynamoServer> {
  const server = dynalite({ path: options.directory, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  return {
    endpoint: `http://${host}:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

/**
 * Creates the images table, as infra/ deploys it, unless it exists already; a table made by an earlier
 * release (the byStatus index on `status`), or one whose migration was interrupted, is migrated.
 */
export async function ensureImageTable(client: DynamoDBClient, tableName: string): Promise<void> {
  const table = await describeTable(client, tableName);
  const interrupted = await describeTable(client, migrationTableName(tableName));
  if (!table && !interrupted) {
    await createTable(client, tableName);
    return;
  }
  await migrateImageTable(client, tableName);
}
