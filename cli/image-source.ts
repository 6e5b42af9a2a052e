/**
 * Where `picflow list`, `show` and `export` read images from, always through the AWS SDK's DynamoDB
 * and S3 clients: a deployed stack (`--stack`), else the `picflow dev` running on the data directory
 * (its endpoints, as `analyze` uses them), else the data directory itself, opened by starting only the
 * local DynamoDB and S3 servers on it for the command (no engine, no models, nothing is processed).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { startDynamoServer } from '../local/dynamodb/dynamodb-server';
import { startS3Server } from '../local/s3/s3-server';
import { lockDataDir } from '../local/stack/data-dir-lock';
import { LOCAL_BUCKET, LOCAL_CREDENTIALS, LOCAL_REGION, LOCAL_TABLE } from '../local/stack/local-stack';
import { describeDeployedStorage } from './aws-stack';
import { runningDevServer } from './dev-server-info';

export interface ImageSource {
  /** What is being read, for messages ("stack Picflow", "picflow dev (pid 123)", "/path/.picflow"). */
  description: string;
  bucket: string;
  uploadPrefix: string;
  tableName: string;
  dynamodb: DynamoDBClient;
  s3: S3Client;
  /** A URL a person can open for an object (the running dev server's console), when there is one. */
  objectUrl?: (key: string) => string;
  close(): Promise<void>;
}

export interface SourceOptions {
  stack?: string;
  region?: string;
}

export async function openImageSource(dataDir: string, options: SourceOptions = {}): Promise<ImageSource> {
  if (options.stack) {
    const storage = await describeDeployedStorage(options.stack, options.region);
    const dynamodb = new DynamoDBClient({ region: options.region });
    const s3 = new S3Client({ region: options.region });
    return { description: `stack ${options.stack}`, ...storage, dynamodb, s3, close: async () => destroy(dynamodb, s3) };
  }
  const config = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  const uploadPrefix = process.env.UPLOAD_PREFIX ?? 'uploads/';
  const dev = runningDevServer(dataDir);
  if (dev) {
    const dynamodb = new DynamoDBClient({ ...config, endpoint: dev.endpoints.dynamodb });
    const s3 = new S3Client({ ...config, endpoint: dev.endpoints.s3, forcePathStyle: true });
    const consoleUrl = dev.endpoints.console;
    return {
      description: `picflow dev (pid ${dev.pid})`,
      bucket: dev.bucket,
      uploadPrefix: dev.uploadPrefix,
      tableName: dev.tableName,
      dynamodb,
      s3,
      objectUrl: consoleUrl ? (key) => `${consoleUrl}/api/objects?key=${encodeURIComponent(key)}` : undefined,
      close: async () => destroy(dynamodb, s3),
    };
  }
  // Reading must not create a data directory where there was none (a typo in --data-dir).
  if (!existsSync(join(dataDir, 'dynamodb')))
    throw new Error(`no picflow data in ${dataDir}: run \`picflow analyze\` or \`picflow dev\` first, or pass --data-dir`);
  const lock = lockDataDir(dataDir);
  const closers: (() => Promise<void>)[] = [async () => lock.release()];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close();
  };
  try {
    const dynamoServer = await startDynamoServer({ directory: join(dataDir, 'dynamodb') });
    closers.push(() => dynamoServer.close());
    const s3Server = await startS3Server({ directory: join(dataDir, 's3'), buckets: [LOCAL_BUCKET] });
    closers.push(() => s3Server.close());
    const dynamodb = new DynamoDBClient({ ...config, endpoint: dynamoServer.endpoint });
    const s3 = new S3Client({ ...config, endpoint: s3Server.endpoint, forcePathStyle: true });
    closers.push(async () => destroy(dynamodb, s3));
    return { description: dataDir, bucket: LOCAL_BUCKET, uploadPrefix, tableName: LOCAL_TABLE, dynamodb, s3, close: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

function destroy(dynamodb: DynamoDBClient, s3: S3Client): void {
  dynamodb.destroy();
  s3.destroy();
}
