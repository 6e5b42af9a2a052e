/**
 * PicflowStorage: where images and results live. The images bucket (uploads and everything derived
 * from them, under separate prefixes), the bucket receiving its server access logs, and the DynamoDB
 * table holding one item per image. Nothing here knows about the pipeline; the pipeline is handed
 * these resources and grants itself exactly what each task needs.
 */
import { Aws, Duration, Fn, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as rekognition from 'aws-cdk-lib/aws-rekognition';
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
}

export class PicflowStorage extends Construct {
  /** Uploads (which start the pipeline) and every object derived from them. */
  readonly bucket: s3.Bucket;
  /** Receives the images bucket's server access logs. */
  readonly accessLogsBucket: s3.Bucket;
  /** One item per image: partition key `imageId`, sparse GSI `byStatus` (`listedStatus` + `updatedAt`). */
  readonly table: dynamodb.Table;
  /**
   * The Rekognition face collection: the face vectors of indexed photos (biometric data; each is deleted
   * with its photo or its photo's next version). Named after the stack: ids are unique per account and region.
   */
  readonly faceCollection: rekognition.CfnCollection;

  constructor(scope: Construct, id: string, props: PicflowStorageProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const autoDeleteObjects = removalPolicy === RemovalPolicy.DESTROY;

    this.faceCollection = new rekognition.CfnCollection(this, 'FaceCollection', {
      collectionId: Fn.join('', [Aws.STACK_NAME, '-faces']),
    });
    this.faceCollection.applyRemovalPolicy(removalPolicy);

    // Server access logs record who read or wrote which image: the audit trail for a bucket holding
    // user uploads. Access-log targets must use SSE-S3 (S3 cannot write logs into SSE-KMS buckets).
    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogsBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: props.accessLogExpiration ?? Duration.days(90) }],
      removalPolicy,
      autoDeleteObjects,
    });
    Validations.of(this.accessLogsBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This bucket is the server access log destination of the images bucket; logging it to itself would log every log delivery, and ' +
        'a third bucket would only move the finding.',
    });

    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogsBucket,
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
    const cfnBucket = this.bucket.node.defaultChild as s3.CfnBucket;
    cfnBucket.notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };

    this.table = new dynamodb.Table(this, 'Table', {
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
      this.table.addGlobalSecondaryIndex(toCdkIndex(index));
    }
  }
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
