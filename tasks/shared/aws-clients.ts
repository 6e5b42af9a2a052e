/**
 * The AWS clients a task uses, built from its configuration (S3 addressing, Rekognition's SDK
 * attempts) and handed to the task's core function with it. Lambda: `lambdaDeps()` builds them once
 * per execution environment (endpoints and credentials from the SDK's standard environment). Local
 * runtime: `createTaskClients(config, { endpoints, ... })` per stack, so two stacks in one process
 * never share a client or an endpoint.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { RekognitionClient } from '@aws-sdk/client-rekognition';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { loadConfig, type PicflowConfig } from './config';

export interface TaskClients {
  readonly s3: S3Client;
  readonly dynamo: DynamoDBDocumentClient;
  readonly rekognition: RekognitionClient;
  readonly sqs: SQSClient;
  readonly sfn: SFNClient;
}

/** What a task's core function is given: its configuration and its clients. */
export interface TaskDeps {
  readonly config: PicflowConfig;
  readonly clients: TaskClients;
}

/** Where the clients connect, when not to AWS as the SDK's environment says (the local runtime). */
export interface ClientOptions {
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  endpoints?: Partial<Record<'s3' | 'dynamodb' | 'rekognition' | 'sqs' | 'sfn', string>>;
}

/**
 * The clients for one configuration. Each is created on first use: a Lambda function uses one or two
 * of the five, and creating the others would only lengthen its cold start.
 */
export function createTaskClients(
  config: Pick<PicflowConfig, 's3ForcePathStyle' | 'rekognitionMaxAttempts'>,
  options: ClientOptions = {},
): TaskClients & { destroy(): void } {
  const base = (service: keyof NonNullable<ClientOptions['endpoints']>) => ({
    ...(options.region ? { region: options.region } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    ...(options.endpoints?.[service] ? { endpoint: options.endpoints[service] } : {}),
  });
  const made: { destroy(): void }[] = [];
  const lazy = <T extends { destroy(): void }>(create: () => T): (() => T) => {
    let client: T | undefined;
    return () => {
      if (!client) made.push((client = create()));
      return client;
    };
  };
  const s3 = lazy(
    () =>
      new S3Client({
        ...base('s3'),
        forcePathStyle: config.s3ForcePathStyle,
        // Checksums only where S3 requires them: with the default (WHEN_SUPPORTED) a streamed body is
        // sent aws-chunked, which some S3-compatible servers store framing and all (silent corruption).
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      }),
  );
  const dynamo = lazy(() =>
    DynamoDBDocumentClient.from(new DynamoDBClient(base('dynamodb')), {
      marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    }),
  );
  const rekognition = lazy(() => new RekognitionClient({ ...base('rekognition'), maxAttempts: config.rekognitionMaxAttempts }));
  const sqs = lazy(() => new SQSClient(base('sqs')));
  const sfn = lazy(() => new SFNClient(base('sfn')));
  return {
    get s3() {
      return s3();
    },
    get dynamo() {
      return dynamo();
    },
    get rekognition() {
      return rekognition();
    },
    get sqs() {
      return sqs();
    },
    get sfn() {
      return sfn();
    },
    destroy: () => made.splice(0).forEach((client) => client.destroy()),
  };
}

let lambdaClients: (TaskClients & { destroy(): void }) | undefined;

/**
 * A Lambda handler's dependencies: the configuration read from the function's environment (per call:
 * cheap, and tests change the environment between cases), the clients made once and reused across
 * invocations (the execution environment outlives one call).
 */
export function lambdaDeps(): TaskDeps {
  const config = loadConfig();
  lambdaClients ??= createTaskClients(config);
  return { config, clients: lambdaClients };
}

/** Forgets the Lambda handlers' cached clients, so a test can point them at another endpoint. */
export function resetClients(): void {
  lambdaClients?.destroy();
  lambdaClients = undefined;
}
