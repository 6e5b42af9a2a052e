/**
 * Starts a local stack's servers on loopback (S3, DynamoDB, SQS and the Rekognition-compatible
 * analyzer), routes the S3 server's upload and delete events, and makes the stack's own clients on them.
 */
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { startDynamoServer, type DynamoServer } from '../dynamodb/dynamodb-server';
import { routeObjectEvents } from '../events/event-router';
import { startRekognitionServer, type FaultConfig, type RekognitionServer, type TpsQuotaConfig } from '../rekognition';
import { startS3Server, type S3Server } from '../s3/s3-server';
import { startSqsServer, type SqsServer } from '../sqs/sqs-server';
import { LOCAL_BUCKET, LOCAL_CREDENTIALS, LOCAL_REGION } from './local-names';
import { step, type OpenedParts } from './start-parts';
import type { DeletedCleanUp } from './deleted-clean-up';
import type { UploadHandoff } from './upload-handoff';

export type ServerName = 's3' | 'dynamodb' | 'sqs' | 'rekognition';

export interface LocalServerOptions {
  dataDir: string;
  /** Fixed ports; 0 or absent picks a free one. */
  ports?: Partial<Record<ServerName, number>>;
  uploadPrefix: string;
  /** Where the S3 server's upload events go (held until recovery has decided). */
  handoff: UploadHandoff;
  /** Where the S3 server's deleted-upload events go (held until the tasks are wired). */
  deletedCleanUp: DeletedCleanUp;
  /** Inference worker threads. */
  workers: number;
  /** Executions running at once: sizes the analyzer's queue. */
  concurrency: number;
  faults?: FaultConfig;
  tps?: TpsQuotaConfig;
}

export interface LocalServers {
  s3: S3Server;
  dynamodb: DynamoServer;
  sqs: SqsServer;
  rekognition: RekognitionServer;
  endpoints: Record<ServerName, string>;
  /** The stack's own clients on its servers. */
  clients: { s3: S3Client; dynamodb: DynamoDBClient; sqs: SQSClient };
}

/** Starts each server in turn (a failure names it); every one opened is added to `opened`. */
export async function startLocalServers(options: LocalServerOptions, opened: OpenedParts): Promise<LocalServers> {
  const { dataDir, ports } = options;
  const on = (name: ServerName) => (ports?.[name] ? ` on port ${ports[name]}` : '');
  const s3Server = opened.add(
    await step(`the S3 server${on('s3')}`, () =>
      startS3Server({ directory: join(dataDir, 's3'), buckets: [LOCAL_BUCKET], port: ports?.s3 }),
    ),
  );
  routeObjectEvents(s3Server, {
    bucket: LOCAL_BUCKET,
    uploadPrefix: options.uploadPrefix,
    region: LOCAL_REGION,
    startExecution: (event) => options.handoff.route(event),
    cleanUpDeleted: (event) => options.deletedCleanUp.route(event),
  });
  const dynamoServer = opened.add(
    await step(`the DynamoDB server${on('dynamodb')}`, () =>
      startDynamoServer({ directory: join(dataDir, 'dynamodb'), port: ports?.dynamodb }),
    ),
  );
  const sqsServer = opened.add(
    await step(`the SQS server${on('sqs')}`, () => startSqsServer({ directory: join(dataDir, 'sqs'), port: ports?.sqs })),
  );

  const clientConfig = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  const s3 = new S3Client({
    ...clientConfig,
    endpoint: s3Server.endpoint,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
  const dynamodb = new DynamoDBClient({ ...clientConfig, endpoint: dynamoServer.endpoint });
  const sqs = new SQSClient({ ...clientConfig, endpoint: sqsServer.endpoint });
  opened.add({
    close: async () => {
      for (const client of [s3, dynamodb, sqs]) client.destroy();
    },
  });

  const rekognition = opened.add(
    await step(`the Rekognition server${on('rekognition')}`, () =>
      startRekognitionServer({
        port: ports?.rekognition,
        workers: options.workers,
        // Each execution makes up to four calls at once: queue them all rather than throttle our own work.
        maxQueue: options.concurrency * 4,
        faults: options.faults,
        tps: options.tps,
        collectionsDir: join(dataDir, 'rekognition', 'collections'),
        readS3Object: async (bucket, key, version) => {
          const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: version }));
          return Buffer.from(await object.Body!.transformToByteArray());
        },
      }),
    ),
  );

  return {
    s3: s3Server,
    dynamodb: dynamoServer,
    sqs: sqsServer,
    rekognition,
    endpoints: { s3: s3Server.endpoint, dynamodb: dynamoServer.endpoint, sqs: sqsServer.endpoint, rekognition: rekognition.endpoint },
    clients: { s3, dynamodb, sqs },
  };
}
