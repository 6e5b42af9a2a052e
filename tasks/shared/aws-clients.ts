/**
 * One client per AWS service, created on first use and reused across invocations (the Lambda
 * execution environment outlives one call). Endpoints come from the SDK's standard environment
 * variables (`AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL_DYNAMODB`, `AWS_ENDPOINT_URL_REKOGNITION`, ...),
 * which is how the local runtime points the same code at its stand-ins.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { RekognitionClient } from '@aws-sdk/client-rekognition';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';

let s3: S3Client | undefined;
let dynamo: DynamoDBDocumentClient | undefined;
let rekognition: RekognitionClient | undefined;
let sqs: SQSClient | undefined;
let sfn: SFNClient | undefined;

export function s3Client(): S3Client {
  s3 ??= new S3Client({
    forcePathStyle: process.env.S3_FORCE_PATH_STYLE === 'true',
    // Checksums only where S3 requires them: with the default (WHEN_SUPPORTED) a streamed body is
    // sent aws-chunked, which some S3-compatible servers store framing and all (silent corruption).
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return s3;
}

export function dynamoClient(): DynamoDBDocumentClient {
  dynamo ??= DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  return dynamo;
}

export function rekognitionClient(): RekognitionClient {
  rekognition ??= new RekognitionClient({ maxAttempts: Number(process.env.REKOGNITION_MAX_ATTEMPTS ?? 1) });
  return rekognition;
}

export function sqsClient(): SQSClient {
  sqs ??= new SQSClient({});
  return sqs;
}

export function sfnClient(): SFNClient {
  sfn ??= new SFNClient({});
  return sfn;
}

/** Forgets the cached clients, so a test or the local runtime can change endpoints. */
export function resetClients(): void {
  s3 = undefined;
  dynamo = undefined;
  rekognition = undefined;
  sqs = undefined;
  sfn = undefined;
}
