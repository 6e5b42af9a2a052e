/**
 * ImagePipeline: the whole of picflow as one construct another CDK app can hold. It runs on a bucket it
 * creates or one it is given (created elsewhere in the app, or imported by name), watches one or several
 * upload prefixes, writes to a table and a dead-letter queue it creates or is given, and adds the alarms
 * and (optionally) the HTTP API. Its props are validated at synth, each problem saying what to change.
 */
import { Aws, CfnOutput, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rekognition from 'aws-cdk-lib/aws-rekognition';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ALL_ANALYSES } from '../../tasks/shared/config';
import { imageTableDefinition, PARTITION_KEY } from '../../tasks/shared/image-table';
import { parsePrefix, SettingError } from '../../tasks/shared/settings';
import {
  DEFAULT_PREFIXES,
  DEFAULT_TASK_SETTINGS,
  prefixProblems,
  type PicflowApiSettings,
  type PicflowPrefixes,
  type PicflowTaskSettings,
} from '../config';
import { rekognitionRegionProblem } from '../rekognition-regions';
import { PicflowAlarms } from './alarms';
import { backfillSettingProblems, PicflowBackfill, type BackfillSettings } from './backfill';
import { PicflowApi } from './api';
import { PicflowPipeline } from './pipeline';
import { PicflowStorage } from './storage';
import { DEFAULT_TASKS_DIR, type FaceCollectionRef } from './task-functions';

/** Where picflow reads uploads from and writes what it derives, in one bucket. */
export interface ImagePipelinePrefixes {
  /**
   * The prefix (or prefixes) whose new objects are analysed. Several prefixes must share a parent folder
   * (for example `photos/2024/` and `photos/2025/` share `photos/`): derived objects are named after the
   * key below it, so two uploads never share a thumbnail.
   * @default 'uploads/'
   */
  readonly upload?: string | readonly string[];
  /** @default 'thumbnails/' */
  readonly thumbnail?: string;
  /** JPEG copies made for Rekognition. @default 'normalized/' */
  readonly normalized?: string;
  /** Full Rekognition responses. @default 'analysis/' */
  readonly analysis?: string;
}

export interface ImagePipelineProps {
  /**
   * The bucket holding the images: one created elsewhere in the app (`new s3.Bucket`, EventBridge delivery
   * is switched on for it) or imported (`s3.Bucket.fromBucketName`: this construct cannot change an imported
   * bucket; it outputs the command that switches EventBridge delivery on, see `enableEventBridgeCommand`).
   * @default - a new bucket (SSE-S3, TLS only, no public access, server access logs to a second bucket)
   */
  readonly bucket?: s3.IBucket;

  /**
   * Key prefixes; each one left out keeps its default. No prefix may contain another.
   * @default upload `uploads/`, thumbnail `thumbnails/`, normalized `normalized/`, analysis `analysis/`
   */
  readonly prefixes?: ImagePipelinePrefixes;

  /**
   * An existing table for the image items: partition key `imageId` (string), no sort key, and the global
   * secondary indexes of tasks/shared/image-table.ts. A `dynamodb.Table` from the same app is checked at
   * synth; an imported one cannot be, so it must have been created with that definition.
   * @default - a new on-demand table with point-in-time recovery and every index
   */
  readonly table?: dynamodb.ITable;

  /**
   * An existing queue for the images that did not make it (standard queue; EventBridge and the state
   * machine are granted sqs:SendMessage on it).
   * @default - a new SQS-encrypted queue keeping messages 14 days
   */
  readonly deadLetterQueue?: sqs.IQueue;

  /**
   * Task settings (thumbnail sizes, analyses, thresholds); each one left out keeps its default.
   * @default DEFAULT_TASK_SETTINGS (infra/config.ts)
   */
  readonly taskSettings?: Partial<PicflowTaskSettings>;

  /**
   * The HTTP API (api/openapi.json on API Gateway) and the clean-up after a delete made in S3: its
   * settings, or false for none. It needs a single upload prefix (its uploads go there).
   * @default false
   */
  readonly api?: Partial<PicflowApiSettings> | false;

  /**
   * The backfill state machine (a Distributed Map over the bucket's objects under an upload prefix, running
   * the pipeline on each object without a current item; `picflow backfill --stack`), or false for none.
   * @default - on, with concurrency 40 and 5 % tolerated failures
   */
  readonly backfill?: BackfillSettings | false;

  /**
   * Lambda CPU architecture.
   * @default lambda.Architecture.ARM_64
   */
  readonly architecture?: lambda.Architecture;

  /**
   * Applies to what this construct creates: bucket, table, queue, log groups (never to resources it is given).
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
   * @default - no notifications (the alarms show in the CloudWatch console)
   */
  readonly alarmEmail?: string;
}

/** A synth-time problem with ImagePipeline's props; the message lists each one with what to change. */
export class ImagePipelineError extends Error {
  override readonly name = 'ImagePipelineError';
  constructor(
    id: string,
    readonly problems: readonly string[],
  ) {
    super(`ImagePipeline ${id}: invalid props:\n  - ${problems.join('\n  - ')}`);
  }
}

export class ImagePipeline extends Construct {
  /** The bucket the pipeline reads uploads from and writes derived objects to. */
  readonly bucket: s3.IBucket;
  /** One item per image. */
  readonly table: dynamodb.ITable;
  /** The STANDARD state machine running statemachines/image-pipeline.asl.json. */
  readonly stateMachine: sfn.StateMachine;
  /** Every image that did not make it. */
  readonly deadLetterQueue: sqs.IQueue;
  /** The HTTP API, when enabled. */
  readonly api?: PicflowApi;
  /**
   * The Rekognition face collection the faces branch indexes into (setting faceIndexing, on by default):
   * the face vectors of indexed photos, biometric data each deleted with its photo or its next version.
   * Created whenever any Rekognition analysis is on, so faces indexed earlier can still be deleted after
   * faceIndexing is switched off; undefined for a thumbnails-only pipeline.
   */
  readonly faceCollection?: rekognition.CfnCollection;
  /** The backfill of existing objects, unless switched off. */
  readonly backfill?: PicflowBackfill;
  /** The rule, state machine, task functions and execution net. */
  readonly pipeline: PicflowPipeline;
  readonly alarms: PicflowAlarms;
  /** The bucket and/or table this construct created (only what it was not given). */
  readonly storage?: PicflowStorage;
  /** The prefixes whose new objects start the pipeline. */
  readonly uploadPrefixes: readonly string[];
  /** The prefixes in effect; `upload` is the folder derived objects are named after (the parent of every upload prefix). */
  readonly prefixes: PicflowPrefixes;
  /**
   * For a bucket this construct cannot change (imported): the command that switches its EventBridge
   * delivery on, keeping its other notifications. Undefined when the construct switched it on itself.
   */
  readonly enableEventBridgeCommand?: string;

  constructor(scope: Construct, id: string, props: ImagePipelineProps = {}) {
    super(scope, id);
    const { uploadPrefixes, prefixes, problems } = resolvePrefixes(props.prefixes);
    if (props.api !== undefined && props.api !== false && uploadPrefixes.length > 1) {
      problems.push(
        `api: the HTTP API stores its uploads under one prefix, and ${uploadPrefixes.length} upload prefixes are given ` +
          `(${uploadPrefixes.join(', ')}): pass one upload prefix, or api: false`,
      );
    }
    if (props.table instanceof dynamodb.Table) problems.push(...tableProblems(props.table));
    if (props.backfill) {
      problems.push(
        ...backfillSettingProblems(props.backfill, {
          concurrency: 'backfill.concurrency',
          tolerated: 'backfill.toleratedFailurePercentage',
        }),
      );
    }
    const region = Stack.of(this).region;
    const regionProblem = rekognitionRegionProblem(region, (props.taskSettings?.analyses ?? ALL_ANALYSES).length > 0);
    if (regionProblem) problems.push(regionProblem);
    if (problems.length > 0) throw new ImagePipelineError(id, problems);
    this.uploadPrefixes = uploadPrefixes;
    this.prefixes = prefixes;

    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    if (!props.bucket || !props.table) {
      this.storage = new PicflowStorage(this, 'Storage', { removalPolicy, createBucket: !props.bucket, createTable: !props.table });
    }
    this.bucket = props.bucket ?? this.storage!.bucket!;
    this.table = props.table ?? this.storage!.table!;
    this.enableEventBridgeCommand = props.bucket ? switchOnEventBridge(this, props.bucket) : undefined;

    const settings = { ...DEFAULT_TASK_SETTINGS, ...props.taskSettings };
    // Whenever Rekognition is used at all, even with faceIndexing off: faces indexed while it was on must
    // still be deletable with their photo. Not for a thumbnails-only pipeline, which may run in a region
    // without Rekognition.
    if (settings.analyses.length > 0) {
      // Named after the stack: collection ids are unique per account and region.
      this.faceCollection = new rekognition.CfnCollection(this, 'FaceCollection', {
        collectionId: Fn.join('', [Aws.STACK_NAME, '-faces']),
      });
      this.faceCollection.applyRemovalPolicy(removalPolicy);
    }
    // Ref of an AWS::Rekognition::Collection is its CollectionId.
    const faceCollection: FaceCollectionRef | undefined = this.faceCollection && {
      collectionId: this.faceCollection.ref,
      arn: this.faceCollection.attrArn,
    };

    this.pipeline = new PicflowPipeline(this, 'Pipeline', {
      bucket: this.bucket,
      table: this.table,
      faceCollection,
      prefixes,
      uploadPrefixes,
      deadLetterQueue: props.deadLetterQueue,
      taskSettings: props.taskSettings,
      architecture: props.architecture,
      removalPolicy,
      logRetention,
    });
    this.stateMachine = this.pipeline.stateMachine;
    this.deadLetterQueue = this.pipeline.deadLetterQueue;
    if (props.backfill !== false) {
      this.backfill = new PicflowBackfill(this, 'Backfill', {
        ...props.backfill,
        bucket: this.bucket,
        table: this.table,
        pipeline: this.stateMachine,
        prefixes,
        uploadPrefixes,
        // Under the analysis prefix: picflow's own output, never an upload.
        resultsPrefix: `${prefixes.analysis}backfill/`,
        settings,
        architecture: props.architecture ?? lambda.Architecture.ARM_64,
        logRetention,
        removalPolicy,
        tasksDir: DEFAULT_TASKS_DIR,
        faceCollection,
      });
    }
    this.alarms = new PicflowAlarms(this, 'Alarms', {
      stateMachine: this.stateMachine,
      deadLetterQueue: this.deadLetterQueue,
      alarmEmail: props.alarmEmail,
    });
    if (props.api !== undefined && props.api !== false) {
      this.api = new PicflowApi(this, 'Api', {
        bucket: this.bucket,
        table: this.table,
        faceCollection,
        prefixes,
        settings,
        api: props.api,
        architecture: props.architecture ?? lambda.Architecture.ARM_64,
        logRetention,
        removalPolicy,
        deadLetterQueue: this.deadLetterQueue,
      });
    }
  }
}

/**
 * The prefixes with defaults filled in, and every problem: each prefix well-formed, upload prefixes
 * not inside each other, and their common parent folder (what the tasks strip from a key to name its
 * derived objects) apart from every derived prefix, so nothing picflow writes can start it again.
 */
export function resolvePrefixes(given: ImagePipelinePrefixes = {}): {
  uploadPrefixes: readonly string[];
  prefixes: PicflowPrefixes;
  problems: string[];
} {
  const uploads =
    given.upload === undefined ? [DEFAULT_PREFIXES.upload] : typeof given.upload === 'string' ? [given.upload] : [...given.upload];
  const derived = {
    thumbnail: given.thumbnail ?? DEFAULT_PREFIXES.thumbnail,
    normalized: given.normalized ?? DEFAULT_PREFIXES.normalized,
    analysis: given.analysis ?? DEFAULT_PREFIXES.analysis,
  };
  const problems: string[] = [];
  if (uploads.length === 0) problems.push('prefixes.upload: give at least one upload prefix (for example "uploads/")');
  const wellFormed = uploads.filter((prefix) => {
    try {
      parsePrefix(prefix);
      return true;
    } catch (error) {
      if (!(error instanceof SettingError)) throw error;
      problems.push(`prefixes.upload: ${error.message}`);
      return false;
    }
  });
  for (const a of wellFormed) {
    for (const b of wellFormed) {
      if (a !== b && b.startsWith(a)) problems.push(`prefixes.upload: "${b}" is inside "${a}": give only "${a}"`);
    }
  }
  const root = commonFolder(wellFormed);
  if (wellFormed.length > 1 && root === '') {
    problems.push(
      `prefixes.upload: ${wellFormed.map((p) => `"${p}"`).join(', ')} share no parent folder: derived objects are named after the ` +
        'key below a common folder, so put the upload prefixes under one (photos/2024/, photos/2025/), or use one ImagePipeline per prefix',
    );
  }
  const prefixes: PicflowPrefixes = { upload: root || DEFAULT_PREFIXES.upload, ...derived };
  if (root) {
    const names = {
      upload: 'prefixes.upload',
      thumbnail: 'prefixes.thumbnail',
      normalized: 'prefixes.normalized',
      analysis: 'prefixes.analysis',
    };
    problems.push(
      ...prefixProblems(prefixes, names).map((problem) =>
        wellFormed.length > 1 && root !== wellFormed[0]
          ? problem.replace(`"${root}"`, `"${root}" (the parent of ${wellFormed.join(', ')})`)
          : problem,
      ),
    );
  } else if (wellFormed.length === 0) {
    problems.push(...prefixProblems({ ...DEFAULT_PREFIXES, ...derived }).filter((p) => !p.startsWith('upload')));
  }
  return { uploadPrefixes: uploads, prefixes, problems };
}

/** The longest folder prefix (ending in "/") that every prefix starts with; "" when there is none. */
function commonFolder(prefixes: readonly string[]): string {
  if (prefixes.length === 0) return '';
  let common = prefixes[0];
  for (const prefix of prefixes) {
    while (!prefix.startsWith(common)) common = common.slice(0, -1);
  }
  return common.slice(0, common.lastIndexOf('/') + 1);
}

/**
 * What a table from the same app lacks: picflow's partition key (and no sort key), and each index of
 * imageTableDefinition() with its keys. An imported table has no schema to read, so it is not checked.
 */
export function tableProblems(table: dynamodb.Table): string[] {
  // Read from the table's CloudFormation resource (Table#schema() is deprecated, and it is what deploys).
  type Key = { attributeName: string; keyType: 'HASH' | 'RANGE' };
  const cfn = table.node.defaultChild as dynamodb.CfnTable;
  const resolve = <T>(value: unknown) => (Stack.of(table).resolve(value) ?? []) as T;
  const types = new Map(
    resolve<{ attributeName: string; attributeType: string }[]>(cfn.attributeDefinitions).map((a) => [a.attributeName, a.attributeType]),
  );
  const keysOf = (schema: Key[]) => ({
    partition: schema.find((k) => k.keyType === 'HASH')?.attributeName,
    sort: schema.find((k) => k.keyType === 'RANGE')?.attributeName,
  });
  const problems: string[] = [];
  const key = keysOf(resolve<Key[]>(cfn.keySchema));
  if (key.partition !== PARTITION_KEY || types.get(PARTITION_KEY) !== 'S' || key.sort) {
    problems.push(
      `table: picflow needs partition key "${PARTITION_KEY}" (string) and no sort key; this table has "${key.partition}" ` +
        `(${types.get(key.partition ?? '')})${key.sort ? ` and sort key "${key.sort}"` : ''}: pass a table made for picflow, or none`,
    );
  }
  const indexes = new Map(
    resolve<{ indexName: string; keySchema: Key[] }[]>(cfn.globalSecondaryIndexes).map((index) => [
      index.indexName,
      keysOf(index.keySchema),
    ]),
  );
  for (const index of imageTableDefinition('unused').GlobalSecondaryIndexes ?? []) {
    const want = keysOf((index.KeySchema ?? []).map((k) => ({ attributeName: k.AttributeName!, keyType: k.KeyType as Key['keyType'] })));
    const described = `partition key "${want.partition}"${want.sort ? `, sort key "${want.sort}"` : ''}`;
    const has = indexes.get(index.IndexName!);
    if (!has) {
      problems.push(
        `table: missing global secondary index "${index.IndexName}" (${described}, strings): add it with addGlobalSecondaryIndex`,
      );
    } else if (has.partition !== want.partition || has.sort !== want.sort) {
      problems.push(
        `table: global secondary index "${index.IndexName}" has partition key "${has.partition}"` +
          `${has.sort ? `, sort key "${has.sort}"` : ''}; picflow needs ${described}`,
      );
    }
  }
  return problems;
}

/**
 * Switches S3's EventBridge delivery on for a bucket this app defines (an s3.Bucket, in this stack or
 * another), through CDK's own notification resource, which merges with the bucket's other notifications.
 * An imported bucket cannot be changed from here: the returned command (also a stack output) does it
 * once, keeping the notifications the bucket already has; see the README's "Use it in your own CDK app".
 */
function switchOnEventBridge(scope: Construct, bucket: s3.IBucket): string | undefined {
  if (bucket instanceof s3.Bucket) {
    const cfn = bucket.node.defaultChild as s3.CfnBucket;
    const native = (cfn.notificationConfiguration as s3.CfnBucket.NotificationConfigurationProperty | undefined)?.eventBridgeConfiguration;
    if (!native) bucket.enableEventBridgeNotification();
    return undefined;
  }
  const command = enableEventBridgeCommandFor(bucket.bucketName);
  new CfnOutput(scope, 'EnableEventBridgeCommand', {
    value: command,
    description: "Run once (needs s3:GetBucketNotification and s3:PutBucketNotification): S3 sends the bucket's events to EventBridge",
  });
  return command;
}

/**
 * One shell line: read the bucket's notification configuration, add EventBridge to it, write it back.
 * PutBucketNotificationConfiguration replaces the whole configuration, so writing only
 * `{"EventBridgeConfiguration":{}}` would silently drop the bucket's existing SNS/SQS/Lambda notifications.
 */
export function enableEventBridgeCommandFor(name: string): string {
  return (
    `(aws s3api get-bucket-notification-configuration --bucket ${name} --output json; echo '{}') | ` +
    `jq -s 'add + {EventBridgeConfiguration: {}}' | ` +
    `aws s3api put-bucket-notification-configuration --bucket ${name} --notification-configuration file:///dev/stdin`
  );
}
