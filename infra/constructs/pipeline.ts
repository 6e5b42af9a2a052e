/**
 * PicflowPipeline: everything between "an object was created under the upload prefix" and "the image's
 * item is written". An EventBridge rule starts the Step Functions state machine defined in
 * statemachines/image-pipeline.asl.json (the same file the local runtime runs); the state machine
 * calls one Lambda function per Task state; whatever does not make it lands in one SQS dead-letter
 * queue, whether EventBridge could not start the execution or the execution failed.
 */
import { Aws, Duration, Fn, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { DEFINITION_PATH, definitionPlaceholders } from '../../statemachines/definition';
import { uploadEventPattern, type EventPattern } from '../../statemachines/trigger';
import {
  DEFAULT_PREFIXES,
  DEFAULT_TASK_SETTINGS,
  prefixProblems,
  taskSettingProblems,
  type PicflowPrefixes,
  type PicflowTaskSettings,
} from '../config';
import { acknowledgeWildcardResources } from '../acknowledge';
import { PicflowExecutionNet } from './execution-net';
import { DEFAULT_TASKS_DIR, PicflowTaskFunctions, type FaceCollectionRef, type PicflowTaskFunction } from './task-functions';

export interface PicflowPipelineProps {
  /** The bucket uploads arrive in; it must send its events to EventBridge. */
  readonly bucket: s3.IBucket;

  /** The table holding one item per image (partition key `imageId`). */
  readonly table: dynamodb.ITable;

  /** The face collection the faces task indexes into (faceIndexing); absent: DetectFaces only. */
  readonly faceCollection?: FaceCollectionRef;

  /**
   * Key prefixes; each one left out keeps its default. Objects under the upload prefix start the
   * pipeline; the others receive what the pipeline derives and never start it.
   * @default uploads/, thumbnails/, normalized/, analysis/
   */
  readonly prefixes?: Partial<PicflowPrefixes>;

  /**
   * Every prefix whose new objects start the pipeline, when there are several; each lies under
   * `prefixes.upload`, the folder the tasks name derived objects after (ImagePipeline validates both).
   * @default [prefixes.upload]
   */
  readonly uploadPrefixes?: readonly string[];

  /**
   * An existing queue for everything that did not make it; the pipeline may send to it.
   * @default a new SQS-encrypted queue keeping messages 14 days
   */
  readonly deadLetterQueue?: sqs.IQueue;

  /**
   * What the tasks are configured with (thumbnail sizes, analyses, thresholds...); each one left out
   * keeps the tasks' own default.
   * @default DEFAULT_TASK_SETTINGS in infra/config.ts
   */
  readonly taskSettings?: Partial<PicflowTaskSettings>;

  /**
   * CPU architecture of the task functions.
   * @default lambda.Architecture.ARM_64 (cheaper per GB-second than x86_64 for the same work)
   */
  readonly architecture?: lambda.Architecture;

  /**
   * Retention of the functions' and the state machine's log groups.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * Removal policy of the dead-letter queue and the log groups.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * How often EventBridge retries starting an execution (throttling, a state machine being updated)
   * before it sends the event to the dead-letter queue.
   * @default 8
   */
  readonly eventRetryAttempts?: number;

  /**
   * How long EventBridge keeps retrying one event before it goes to the dead-letter queue.
   * @default Duration.hours(6)
   */
  readonly eventMaxAge?: Duration;

  /**
   * Folder holding each task's `<folder>/handler.ts` (folders from statemachines/tasks.ts). Its parent
   * is the project root: package.json and package-lock.json there decide what gets bundled.
   * @default the repository's tasks/ folder
   */
  readonly tasksDir?: string;
}

export class PicflowPipeline extends Construct {
  /** The STANDARD state machine running statemachines/image-pipeline.asl.json. */
  readonly stateMachine: sfn.StateMachine;
  /** Every image that did not make it: raw events EventBridge could not deliver, and picflow's DeadLetterMessage. */
  readonly deadLetterQueue: sqs.IQueue;
  /** The rule starting one execution per object created under the upload prefix. */
  readonly uploadRule: events.Rule;
  /** The net under the net: the rule on this state machine's FAILED/TIMED_OUT/ABORTED executions and its function. */
  readonly executionNet: PicflowExecutionNet;
  /** One per Task state, in statemachines/tasks.ts order. */
  readonly taskFunctions: readonly PicflowTaskFunction[];
  /** The state machine's execution log group. */
  readonly logGroup: logs.LogGroup;
  /** The prefixes in effect (defaults filled in). */
  readonly prefixes: PicflowPrefixes;
  /** The prefixes whose new objects start the pipeline. */
  readonly uploadPrefixes: readonly string[];

  constructor(scope: Construct, id: string, props: PicflowPipelineProps) {
    super(scope, id);
    const prefixes: PicflowPrefixes = { ...DEFAULT_PREFIXES, ...props.prefixes };
    const settings: PicflowTaskSettings = { ...DEFAULT_TASK_SETTINGS, ...props.taskSettings };
    validateProps(prefixes, settings);
    this.prefixes = prefixes;
    this.uploadPrefixes = props.uploadPrefixes ?? [prefixes.upload];
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;

    this.deadLetterQueue = props.deadLetterQueue ?? newDeadLetterQueue(this, removalPolicy);

    // What every function of the pipeline is built with: the task functions and the execution net.
    const functionSettings = {
      table: props.table,
      prefixes,
      settings,
      architecture: props.architecture ?? lambda.Architecture.ARM_64,
      logRetention,
      removalPolicy,
      tasksDir: props.tasksDir ?? DEFAULT_TASKS_DIR,
      faceCollection: props.faceCollection,
      uploadPrefixes: this.uploadPrefixes,
    };
    const tasks = new PicflowTaskFunctions(this, 'Tasks', { ...functionSettings, bucket: props.bucket });
    this.taskFunctions = tasks.functions;

    // The /aws/vendedlogs/ prefix keeps Step Functions' log delivery from adding this group to the
    // account's CloudWatch Logs resource policy, which is capped at 5,120 characters.
    // The name ends in the stack's UUID (the last part of its stack ID): the group is retained by
    // default, so a name derived only from the construct path would still exist after `cdk destroy`
    // and the next deployment of the same stack would fail with "already exists". A new stack
    // instance gets a new UUID, a new group, and the old one keeps its logs until its retention ends.
    const stackUuid = Fn.select(2, Fn.split('/', Aws.STACK_ID));
    this.logGroup = new logs.LogGroup(this, 'StateMachineLogs', {
      logGroupName: Fn.join('', [`/aws/vendedlogs/states/${visiblePath(this)}-`, stackUuid]),
      retention: logRetention,
      removalPolicy,
    });

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      definitionBody: sfn.DefinitionBody.fromFile(DEFINITION_PATH),
      definitionSubstitutions: substitutions(tasks.functions, this.deadLetterQueue),
      stateMachineType: sfn.StateMachineType.STANDARD,
      // ERROR without execution data. A STANDARD execution's full history (every state's input and
      // output, every retry) is already kept by Step Functions for 90 days at no charge and shown in
      // the console; ALL with execution data would copy it into CloudWatch Logs (billed per GB
      // ingested, about 40 events per image) along with object keys and face attributes (age range,
      // gender, emotions), a second store of personal data with its own retention and readers. The
      // failures themselves are recorded on the item and in the DLQ message.
      logs: { destination: this.logGroup, level: sfn.LogLevel.ERROR, includeExecutionData: false },
      tracingEnabled: true,
    });
    // DefinitionBody.fromFile cannot see which resources the definition calls, so it grants nothing:
    // the state machine may invoke exactly these functions (unqualified ARNs, as the definition uses
    // them) and send to exactly this queue.
    this.stateMachine.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: tasks.functions.map(({ function: fn }) => fn.functionArn),
      }),
    );
    this.stateMachine.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.deadLetterQueue.queueArn] }),
    );
    Validations.of(this.stateMachine).acknowledge({
      id: 'AwsSolutions-SF1',
      reason:
        "Errors (ERROR level) are logged, without execution data: a STANDARD execution's full event history is kept by Step Functions " +
        "for 90 days, and ALL-level logs would copy every state's input and output (object keys, face attributes) into a second store.",
    });
    acknowledgeWildcardResources(
      this.stateMachine.role,
      ['*'],
      'CloudWatch Logs vended-log delivery (logs:CreateLogDelivery, PutResourcePolicy, DescribeLogGroups, ...) and X-Ray ' +
        '(PutTraceSegments, GetSamplingRules, ...) do not support resource-level permissions; Step Functions requires "*" for them. ' +
        'Task invocations and the DLQ are granted on their exact ARNs.',
    );

    this.uploadRule = new events.Rule(this, 'UploadRule', {
      description: `picflow: start the image pipeline for objects created under ${this.uploadPrefixes.join(', ')}`,
      // The pattern comes from statemachines/trigger.ts, which the local event router matches too.
      // Only the upload prefix: thumbnails, normalized copies and analysis results are objects
      // created in the same bucket and must never start an execution of their own.
      eventPattern: toCdkEventPattern(uploadEventPattern(props.bucket.bucketName, this.uploadPrefixes)),
      targets: [
        new targets.SfnStateMachine(this.stateMachine, {
          retryAttempts: props.eventRetryAttempts ?? 8,
          maxEventAge: props.eventMaxAge ?? Duration.hours(6),
          // The same queue as the pipeline's own failures: one place holds every image that did not
          // make it, and the replay tool takes the raw event as well as a DeadLetterMessage.
          deadLetterQueue: this.deadLetterQueue,
        }),
      ],
    });

    this.executionNet = new PicflowExecutionNet(this, 'ExecutionNet', {
      ...functionSettings,
      stateMachine: this.stateMachine,
      deadLetterQueue: this.deadLetterQueue,
      retryAttempts: props.eventRetryAttempts ?? 8,
      maxEventAge: props.eventMaxAge ?? Duration.hours(6),
    });
  }
}

/**
 * The construct's path with "Default" segments left out, "-" joined: CDK leaves them out of logical IDs too,
 * so PicflowStack (which holds its ImagePipeline as "Default") keeps the log group name it always had.
 */
function visiblePath(scope: Construct): string {
  return scope.node.scopes
    .slice(1)
    .map((s) => s.node.id)
    .filter((id) => id !== 'Default')
    .join('-');
}

function newDeadLetterQueue(scope: Construct, removalPolicy: RemovalPolicy): sqs.Queue {
  // SQS-managed SSE rather than KMS: EventBridge can deliver to it without a key policy, and the
  // messages (event + failure reason) hold no image data.
  const queue = new sqs.Queue(scope, 'DeadLetterQueue', {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
    removalPolicy,
  });
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason:
      "This queue is itself the dead-letter destination (of the EventBridge rule target and of the state machine's " +
      'SendToDeadLetterQueue state); its messages are replayed by hand, and a dead-letter queue for the dead-letter queue would only ' +
      'move the finding.',
  });
  return queue;
}

/** The EventBridge API's pattern JSON in CDK's shape (`detail-type` is spelled `detailType` there). */
export function toCdkEventPattern(pattern: EventPattern): events.EventPattern {
  const { source, 'detail-type': detailType, detail, ...rest } = pattern;
  if (Object.keys(rest).length > 0) throw new Error(`Unsupported top-level pattern fields: ${Object.keys(rest).join(', ')}`);
  return { source: source as string[], detailType: detailType as string[], detail: detail as Record<string, unknown> };
}

/**
 * The definition's `${...}` values: one function ARN per TASKS entry and the queue URL. A placeholder
 * without a value fails the synth here instead of the deployment (or worse, the first execution).
 */
function substitutions(functions: readonly PicflowTaskFunction[], queue: sqs.IQueue): Record<string, string> {
  const values: Record<string, string> = {
    ...Object.fromEntries(functions.map(({ task, function: fn }) => [task.substitution, fn.functionArn])),
    DeadLetterQueueUrl: queue.queueUrl,
  };
  const missing = definitionPlaceholders().filter((name) => values[name] === undefined);
  if (missing.length > 0) {
    throw new Error(`statemachines/image-pipeline.asl.json uses placeholder(s) the stack does not provide: ${missing.join(', ')}`);
  }
  return values;
}

function validateProps(prefixes: PicflowPrefixes, settings: PicflowTaskSettings): void {
  const problems = [...prefixProblems(prefixes), ...taskSettingProblems(settings)];
  if (problems.length > 0) throw new Error(`PicflowPipeline: invalid props:\n  - ${problems.join('\n  - ')}`);
}
