/**
 * PicflowStorage: where images and results live. The images bucket (uploads and everything derived
 * from them, under separate prefixes), the bucket receiving its server access logs, and the DynamoDB
 * table holding one item per image. Nothing here knows about the pipeline; the pipeline is handed
 * these resources and grants itself exactly what each task needs.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { imageTableDefinition, PARTITION_KEY } from '../../tasks/shared/image-table';

/** imageTableDefinition() wants a table name; only its indexes are read here. */
const LOCAL_NAME_UNUSED = 'images';

export interface PicflowStorageProps {
  /**
   * What happens to the bucket, the access-log bucket and the table when they leave the stack.
   * With DESTROY the buckets are also emptied on deletion (a custom resource does it), otherwise
   * CloudFormation could not delete them.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Days after which server access logs are deleted.
   * @default Duration.days(90)
   */
  readonly accessLogExpiration?: Duration;

  /**
   * Whether to create the images bucket (and its access-log bucket). ImagePipeline passes false when it
   * is given an existing bucket.
   * @default true
   */
  readonly createBucket?: boolean;

  /**
   * Whether to create the images table. ImagePipeline passes false when it is given an existing table.
   * @default true
   */
  readonly createTable?: boolean;
}

export class PicflowStorage extends Construct {
  /** Uploads (which start the pipeline) and every object derived from them (unless createBucket is false). */
  readonly bucket?: s3.Bucket;
  /** Receives the images bucket's server access logs (unless createBucket is false). */
  readonly accessLogsBucket?: s3.Bucket;
  /** One item per image: partition key `imageId`, the GSIs of imageTableDefinition() (unless createTable is false). */
  readonly table?: dynamodb.Table;

  constructor(scope: Construct, id: string, props: PicflowStorageProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    if (props.createBucket !== false) [this.bucket, this.accessLogsBucket] = imagesBucket(this, removalPolicy, props.accessLogExpiration);
    if (props.createTable !== false) this.table = imagesTable(this, removalPolicy);
  }
}

/** The images bucket with EventBridge delivery on, and the bucket receiving its server access logs. */
function imagesBucket(scope: Construct, removalPolicy: RemovalPolicy, accessLogExpiration?: Duration): [s3.Bucket, s3.Bucket] {
  const autoDeleteObjects = removalPolicy === RemovalPolicy.DESTROY;

  // Server access logs record who read or wrote which image: the audit trail for a bucket holding
  // user uploads. Access-log targets must use SSE-S3 (S3 cannot write logs into SSE-KMS buckets).
  const accessLogsBucket = new s3.Bucket(scope, 'AccessLogsBucket', {
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    lifecycleRules: [{ expiration: accessLogExpiration ?? Duration.days(90) }],
    removalPolicy,
    autoDeleteObjects,
  });
  Validations.of(accessLogsBucket).acknowledge({
    id: 'AwsSolutions-S1',
    reason:
      'This bucket is the server access log destination of the images bucket; logging it to itself would log every log delivery, and ' +
      'a third bucket would only move the finding.',
  });

  const bucket = new s3.Bucket(scope, 'Bucket', {
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    serverAccessLogsBucket: accessLogsBucket,
    serverAccessLogsPrefix: 'images-bucket/',
    // Uploads that a client started and never finished still cost storage.
    lifecycleRules: [{ abortIncompleteMultipartUploadAfter: Duration.days(7) }],
    removalPolicy,
    autoDeleteObjects,
  });
  // EventBridge delivery is switched on with the bucket's own CloudFormation property instead of
  // `eventBridgeEnabled: true`: that option goes through the Custom::S3BucketNotifications resource,
  // a Lambda function holding s3:PutBucketNotification on "*" plus AWSLambdaBasicExecutionRole, just
  // to set a flag CloudFormation sets natively.
  const cfnBucket = bucket.node.defaultChild as s3.CfnBucket;
  cfnBucket.notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
  return [bucket, accessLogsBucket];
}

/** The images table: the key and every index exactly as imageTableDefinition() describes them. */
function imagesTable(scope: Construct, removalPolicy: RemovalPolicy): dynamodb.Table {
  const table = new dynamodb.Table(scope, 'Table', {
    partitionKey: { name: PARTITION_KEY, type: dynamodb.AttributeType.STRING },
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    encryption: dynamodb.TableEncryption.AWS_MANAGED,
    // The table is the pipeline's record of every image: keep it unless told otherwise.
    removalPolicy,
    deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
  });
  // Sparse (only FAILED and PARTIAL items carry its key) with a narrow projection: see STATUS_INDEX.
  // Every index exactly as imageTableDefinition() describes it (the local table is created from the
  // same definition): the sparse byStatus for failures, and the HTTP API's query indexes.
  for (const index of imageTableDefinition(LOCAL_NAME_UNUSED).GlobalSecondaryIndexes ?? []) {
    table.addGlobalSecondaryIndex(toCdkIndex(index));
  }
  return table;
}

type IndexDefinition = NonNullable<CreateTableCommandInput['GlobalSecondaryIndexes']>[number];

/** A CreateTable GSI (string keys, as every picflow index has) in CDK's terms. */
function toCdkIndex(index: IndexDefinition): dynamodb.GlobalSecondaryIndexProps {
  const key = (type: 'HASH' | 'RANGE') => index.KeySchema?.find((entry) => entry.KeyType === type)?.AttributeName;
  const partitionKey = key('HASH');
  const sortKey = key('RANGE');
  if (!index.IndexName || !partitionKey)
    throw new Error(`imageTableDefinition(): index ${index.IndexName ?? '(unnamed)'} has no name or partition key`);
  const projection = index.Projection?.ProjectionType ?? 'ALL';
  return {
    indexName: index.IndexName,
    partitionKey: { name: partitionKey, type: dynamodb.AttributeType.STRING },
    ...(sortKey ? { sortKey: { name: sortKey, type: dynamodb.AttributeType.STRING } } : {}),
    projectionType: dynamodb.ProjectionType[projection as keyof typeof dynamodb.ProjectionType],
    ...(projection === 'INCLUDE' ? { nonKeyAttributes: [...(index.Projection?.NonKeyAttributes ?? [])] } : {}),
  };
}
