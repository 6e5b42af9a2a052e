/**
 * Where `picflow list`, `show` and `export` read images from, always through the AWS SDK's DynamoDB
 * and S3 clients: a deployed stack (`--stack`), else the `picflow dev` running on the data directory
 * (its endpoints, as `analyze` uses them), else the data directory itself, opened by starting only the
 * local DynamoDB and S3 servers on it for the command (no engine, no models, nothing is processed).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { RekognitionClient } from '@aws-sdk/client-rekognition';
import { S3Client } from '@aws-sdk/client-s3';
import { startDynamoServer } from '../local/dynamodb/dynamodb-server';
import { startRekognitionServer } from '../local/rekognition';
import { startS3Server } from '../local/s3/s3-server';
import { lockDataDir } from '../local/stack/data-dir-lock';
import { LOCAL_BUCKET, LOCAL_CREDENTIALS, LOCAL_REGION, LOCAL_TABLE } from '../local/stack/local-stack';
import { LOCAL_FACE_COLLECTION } from '../local/stack/local-names';
import { describeDeployedStorage, describeFaceCollection } from './aws-stack';
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
  /**
   * The face collection and a client for it, opened on first call (closed with the source): deleting an image
   * with faces must delete its face vectors too. Absent where picflow cannot reach one.
   */
  faceCollection?: () => Promise<FaceCollection>;
  close(): Promise<void>;
}

export interface FaceCollection {
  rekognition: RekognitionClient;
  collectionId: string;
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
    const rekognition = new RekognitionClient({ region: options.region });
    const faceCollection = async () => ({ rekognition, collectionId: await describeFaceCollection(options.stack!, options.region) });
    return {
      description: `stack ${options.stack}`,
      ...storage,
      dynamodb,
      s3,
      faceCollection,
      close: async () => destroy(dynamodb, s3, rekognition),
    };
  }
  const config = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  const uploadPrefix = process.env.UPLOAD_PREFIX ?? 'uploads/';
  const dev = runningDevServer(dataDir);
  if (dev) {
    const dynamodb = new DynamoDBClient({ ...config, endpoint: dev.endpoints.dynamodb });
    const s3 = new S3Client({ ...config, endpoint: dev.endpoints.s3, forcePathStyle: true });
    const consoleUrl = dev.endpoints.console;
    const rekognition = new RekognitionClient({ ...config, endpoint: dev.endpoints.rekognition });
    return {
      description: `picflow dev (pid ${dev.pid})`,
      bucket: dev.bucket,
      uploadPrefix: dev.uploadPrefix,
      tableName: dev.tableName,
      dynamodb,
      s3,
      objectUrl: consoleUrl ? (key) => `${consoleUrl}/api/objects?key=${encodeURIComponent(key)}` : undefined,
      faceCollection: async () => ({ rekognition, collectionId: LOCAL_FACE_COLLECTION }),
      close: async () => destroy(dynamodb, s3, rekognition),
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
    // The face collection is files under the data directory (local/rekognition/collections), locked with the rest:
    // a Rekognition server on them, with no worker loading a model (collection operations need none to delete).
    let opening: Promise<FaceCollection> | undefined;
    const faceCollection = () =>
      (opening ??= (async () => {
        const server = await startRekognitionServer({ workers: 1, collectionsDir: join(dataDir, 'rekognition', 'collections') });
        closers.push(() => server.close());
        const rekognition = new RekognitionClient({ ...config, endpoint: server.endpoint });
        closers.push(async () => rekognition.destroy());
        return { rekognition, collectionId: LOCAL_FACE_COLLECTION };
      })());
    return {
      description: dataDir,
      bucket: LOCAL_BUCKET,
      uploadPrefix,
      tableName: LOCAL_TABLE,
      dynamodb,
      s3,
      faceCollection,
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

function destroy(...clients: { destroy(): void }[]): void {
  for (const client of clients) client.destroy();
}
