/**
 * PicflowStack: storage (bucket, table), the pipeline (rule, state machine, task functions, dead-letter
 * queue) and its alarms, wired together, plus the outputs a user needs to upload an image and find
 * its result.
 */
import { Aws, CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { ALL_ANALYSES } from '../tasks/shared/config';
import { DEFAULT_TASK_SETTINGS, type PicflowApiSettings, type PicflowPrefixes, type PicflowTaskSettings } from './config';
import { PicflowApi } from './constructs/api';
import { PicflowAlarms } from './constructs/alarms';
import { PicflowPipeline } from './constructs/pipeline';
import { PicflowStorage } from './constructs/storage';
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
   * Folder holding the task handlers (`<folder>/handler.ts`); its parent holds package-lock.json.
   * @default the repository's tasks/ folder
   */
  readonly tasksDir?: string;
  /**
   * The HTTP API (infra/constructs/api.ts): its settings, or false for none.
   * @default DEFAULT_API_SETTINGS (IAM auth, no CORS origin, 50 rps / 100 burst)
   */
  readonly api?: Partial<PicflowApiSettings> | false;
}

export class PicflowStack extends Stack {
  readonly storage: PicflowStorage;
  readonly pipeline: PicflowPipeline;
  readonly alarms: PicflowAlarms;
  /** The HTTP API and the clean-up after deletes made in S3, unless switched off. */
  readonly api?: PicflowApi;

  constructor(scope: Construct, id: string, props: PicflowStackProps = {}) {
    super(scope, id, {
      description: 'picflow: S3 uploads analysed by a Step Functions pipeline (thumbnails, faces, labels, text, moderation) into DynamoDB',
      ...props,
    });
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const regionProblem = rekognitionRegionProblem(this.region, (props.taskSettings?.analyses ?? ALL_ANALYSES).length > 0);
    if (regionProblem) throw new Error(`PicflowStack ${id}: ${regionProblem}`);

    this.storage = new PicflowStorage(this, 'Storage', { removalPolicy });
    // Ref of an AWS::Rekognition::Collection is its CollectionId.
    const faceCollection = { collectionId: this.storage.faceCollection.ref, arn: this.storage.faceCollection.attrArn };
    this.pipeline = new PicflowPipeline(this, 'Pipeline', {
      bucket: this.storage.bucket,
      table: this.storage.table,
      faceCollection,
      prefixes: props.prefixes,
      taskSettings: props.taskSettings,
      architecture: props.architecture,
      removalPolicy,
      logRetention: props.logRetention,
      tasksDir: props.tasksDir,
    });
    this.alarms = new PicflowAlarms(this, 'Alarms', {
      stateMachine: this.pipeline.stateMachine,
      deadLetterQueue: this.pipeline.deadLetterQueue,
      alarmEmail: props.alarmEmail,
    });

    const { stateMachine, deadLetterQueue, prefixes } = this.pipeline;
    if (props.api !== false) {
      this.api = new PicflowApi(this, 'Api', {
        bucket: this.storage.bucket,
        table: this.storage.table,
        faceCollection,
        prefixes,
        settings: { ...DEFAULT_TASK_SETTINGS, ...props.taskSettings },
        api: props.api,
        architecture: props.architecture ?? lambda.Architecture.ARM_64,
        logRetention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
        removalPolicy,
        deadLetterQueue,
      });
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
    new CfnOutput(this, 'BucketName', { value: this.storage.bucket.bucketName, description: 'Upload images here' });
    new CfnOutput(this, 'UploadPrefix', { value: prefixes.upload, description: 'Only keys under this prefix are processed' });
    new CfnOutput(this, 'TableName', { value: this.storage.table.tableName, description: 'One item per image' });
    new CfnOutput(this, 'StateMachineArn', { value: stateMachine.stateMachineArn });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: deadLetterQueue.queueUrl, description: 'Images that did not make it' });
    new CfnOutput(this, 'StateMachineConsoleUrl', {
      value:
        `https://${Aws.REGION}.console.aws.amazon.com/states/home?region=${Aws.REGION}` +
        `#/statemachines/view/${stateMachine.stateMachineArn}`,
      description: 'Executions in the Step Functions console',
    });
    if (this.alarms.topic) {
      new CfnOutput(this, 'AlarmTopicArn', { value: this.alarms.topic.topicArn });
    }
  }
}
