/**
 * PicflowStack: one ImagePipeline with a bucket, table and queue of its own (the stack `cdk deploy`
 * deploys from this repository), plus the outputs a user needs to upload an image and find its result.
 */
import { Aws, CfnOutput, type RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { ALL_ANALYSES } from '../tasks/shared/config';
import type { PicflowApiSettings, PicflowPrefixes, PicflowTaskSettings } from './config';
import type { PicflowAlarms } from './constructs/alarms';
import type { PicflowApi } from './constructs/api';
import type { BackfillSettings } from './constructs/backfill';
import { ImagePipeline } from './constructs/image-pipeline';
import type { PicflowPipeline } from './constructs/pipeline';
import { rekognitionRegionProblem } from './rekognition-regions';

export interface PicflowStackProps extends StackProps {
  /**
   * Key prefixes (upload, thumbnail, normalized, analysis); each one left out keeps its default.
   * @default uploads/, thumbnails/, normalized/, analysis/
   */
  readonly prefixes?: Partial<PicflowPrefixes>;
  /**
   * Task settings (thumbnail sizes, analyses, thresholds); each one left out keeps its default.
   * @default DEFAULT_TASK_SETTINGS in infra/config.ts
   */
  readonly taskSettings?: Partial<PicflowTaskSettings>;
  /**
   * Lambda CPU architecture.
   * @default lambda.Architecture.ARM_64
   */
  readonly architecture?: lambda.Architecture;
  /**
   * Applies to the buckets, the table, the dead-letter queue and the log groups.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Retention of every log group.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Email address for alarm notifications.
   * @default - no notifications
   */
  readonly alarmEmail?: string;
  /**
   * The HTTP API (infra/constructs/api.ts): its settings, or false for none.
   * @default DEFAULT_API_SETTINGS (IAM auth, no CORS origin, 50 rps / 100 burst)
   */
  readonly api?: Partial<PicflowApiSettings> | false;
  /**
   * The backfill state machine's settings, or false for none.
   * @default on (concurrency 40, 5 % tolerated failures)
   */
  readonly backfill?: BackfillSettings | false;
}

/** The storage PicflowStack always creates: both buckets and the table. */
export interface PicflowStackStorage {
  readonly bucket: s3.Bucket;
  readonly accessLogsBucket: s3.Bucket;
  readonly table: dynamodb.Table;
}

export class PicflowStack extends Stack {
  /** Everything picflow deploys. Its id is "Default", which CDK leaves out of logical IDs and names. */
  readonly imagePipeline: ImagePipeline;
  readonly storage: PicflowStackStorage;
  readonly pipeline: PicflowPipeline;
  readonly alarms: PicflowAlarms;
  /** The HTTP API and the clean-up after deletes made in S3, unless switched off. */
  readonly api?: PicflowApi;

  constructor(scope: Construct, id: string, props: PicflowStackProps = {}) {
    super(scope, id, {
      description: 'picflow: S3 uploads analysed by a Step Functions pipeline (thumbnails, faces, labels, text, moderation) into DynamoDB',
      ...props,
    });
    const regionProblem = rekognitionRegionProblem(this.region, (props.taskSettings?.analyses ?? ALL_ANALYSES).length > 0);
    if (regionProblem) throw new Error(`PicflowStack ${id}: ${regionProblem}`);

    // "Default" keeps every logical ID (and the state machine's log group name) what it was before the
    // pipeline became a construct: CDK drops that id from both, so deployed stacks update in place.
    this.imagePipeline = new ImagePipeline(this, 'Default', {
      prefixes: props.prefixes,
      taskSettings: props.taskSettings,
      architecture: props.architecture,
      removalPolicy: props.removalPolicy,
      logRetention: props.logRetention,
      alarmEmail: props.alarmEmail,
      api: props.api === false ? false : (props.api ?? {}),
      backfill: props.backfill,
    });
    const { storage, pipeline, alarms, api, bucket, table } = this.imagePipeline;
    this.storage = storage as PicflowStackStorage;
    this.pipeline = pipeline;
    this.alarms = alarms;
    this.api = api;

    const { stateMachine, deadLetterQueue, prefixes } = this.pipeline;
    if (this.api) {
      const callers = this.api.settings.auth === 'iam' ? 'SigV4-signed calls' : 'JWT bearer tokens';
      new CfnOutput(this, 'ApiUrl', {
        value: this.api.url,
        description: `HTTP API (${callers}); GET /openapi.json describes it`,
      });
      if (this.api.users) {
        new CfnOutput(this, 'UserPoolId', { value: this.api.users.userPool.userPoolId, description: "The API's Cognito user pool" });
        new CfnOutput(this, 'UserPoolClientId', {
          value: this.api.users.client.userPoolClientId,
          description: 'App client of the pool: its tokens are the ones the API accepts',
        });
      }
    }
    new CfnOutput(this, 'BucketName', { value: bucket.bucketName, description: 'Upload images here' });
    new CfnOutput(this, 'UploadPrefix', { value: prefixes.upload, description: 'Only keys under this prefix are processed' });
    new CfnOutput(this, 'TableName', { value: table.tableName, description: 'One item per image' });
    const faceCollection = this.imagePipeline.faceCollection;
    if (faceCollection) {
      // `picflow faces` / `picflow people --stack` find the collection by this output.
      new CfnOutput(this, 'FaceCollectionId', {
        value: faceCollection.ref,
        description: 'The Rekognition face collection (face search, people)',
      });
    }
    new CfnOutput(this, 'StateMachineArn', { value: stateMachine.stateMachineArn });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: deadLetterQueue.queueUrl, description: 'Images that did not make it' });
    new CfnOutput(this, 'StateMachineConsoleUrl', {
      value:
        `https://${Aws.REGION}.console.aws.amazon.com/states/home?region=${Aws.REGION}` +
        `#/statemachines/view/${stateMachine.stateMachineArn}`,
      description: 'Executions in the Step Functions console',
    });
    if (this.imagePipeline.backfill) {
      new CfnOutput(this, 'BackfillStateMachineArn', {
        value: this.imagePipeline.backfill.stateMachine.stateMachineArn,
        description: 'Analyses the images already in the bucket: picflow backfill --stack <this stack> --watch',
      });
    }
    if (this.alarms.topic) {
      new CfnOutput(this, 'AlarmTopicArn', { value: this.alarms.topic.topicArn });
    }
  }
}
