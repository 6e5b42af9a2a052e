/**
 * One Lambda function per Task state of the definition, created from statemachines/tasks.ts (the list
 * the local runtime uses too) and shaped by TASK_PROFILES below: memory, whether it needs sharp, and
 * exactly which actions it may perform on which resources. Each function gets its own role and its
 * own log group, so one task's permissions never leak into another's.
 */
import { Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { allStates, readDefinitionText, type AslDefinition } from '../../statemachines/definition';
import { TASKS, type TaskSpec } from '../../statemachines/tasks';
import type { Analysis } from '../../tasks/shared/config';
import { settingsEnvironment } from '../../tasks/shared/settings';
import { PREFIX_SETTINGS, type PicflowPrefixes, type PicflowTaskSettings } from '../config';
import { acknowledgeWildcardResources, XRAY_WILDCARD } from '../acknowledge';
import { assertSharpBinaries, npmCpuFor } from './sharp-binaries';

/**
 * The picflow package's own folder (this file's package.json): the lock file, package.json (sharp's
 * version), tasks/ and api/ live here, whether this is the repository or node_modules/picflow in
 * another CDK app. Never the working directory: a consumer's `cdk synth` runs in its own project.
 */
export const PACKAGE_ROOT = packageRootOf(__dirname);
/** The same folder as PACKAGE_ROOT, under the name the scripts and tests use. */
export const REPO_ROOT = PACKAGE_ROOT;
export const DEFAULT_TASKS_DIR = join(PACKAGE_ROOT, 'tasks');

/** The nearest folder above `dir` whose package.json is picflow's. */
export function packageRootOf(dir: string): string {
  for (let current = resolve(dir); ; current = dirname(current)) {
    const manifest = join(current, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'picflow') return current;
    if (dirname(current) === current) throw new Error(`picflow's package.json not found above ${dir}: is the package installed whole?`);
  }
}

/**
 * The lock file NodejsFunction bundles with, or a synth error saying why it is needed: npm leaves
 * package-lock.json out of published tarballs, so an install from a registry would have none.
 */
export function lockFileOf(projectRoot: string): string {
  const lockFile = join(projectRoot, 'package-lock.json');
  if (!existsSync(lockFile)) {
    throw new Error(
      `picflow bundles its functions with its own package-lock.json (pinned SDK and sharp versions), and ${lockFile} is missing: ` +
        'install picflow from its git repository or a folder (npm install <path or git URL>), not from a packed tarball',
    );
  }
  return lockFile;
}

type ObjectArea = keyof PicflowPrefixes;

/** What one task needs besides its code. */
export interface TaskProfile {
  /** 1769 MB is one full vCPU: what decoding and resizing images wants. I/O-bound tasks need little. */
  readonly memorySize: number;
  /** sharp has native binaries: it is installed for the target CPU instead of bundled by esbuild. */
  readonly usesSharp: boolean;
  /** DynamoDB item actions on the images table. */
  readonly tableActions?: readonly string[];
  /** Prefixes it reads objects from (GetObject, and GetObjectVersion for pinned reads of a version). */
  readonly reads?: readonly ObjectArea[];
  /** Prefixes it writes objects to. */
  readonly writes?: readonly ObjectArea[];
  /** Prefixes it deletes objects from. */
  readonly deletes?: readonly ObjectArea[];
  /**
   * s3:ListBucket on the bucket. Without it S3 answers 403 instead of 404 for an object deleted since
   * its event, and the task could not tell "superseded" (StaleEventError) from "forbidden".
   */
  readonly listBucket?: boolean;
  /** Rekognition actions, each kept only while its analysis is enabled. */
  readonly rekognition?: readonly { action: string; analysis: Analysis }[];
  /**
   * Rekognition actions on the face collection: granted on the collection's ARN only (the service
   * authorization reference lists `collection*` as their resource), and only while `when` holds.
   */
  readonly collection?: readonly { action: string; when: 'faceIndexing' | 'always' }[];
}

/** What deleting an image's faces calls (tasks/shared/faces.ts deleteCollectionFaces). */
export const DELETE_FACES_ACTIONS = ['rekognition:DeleteFaces', 'rekognition:DisassociateFaces'] as const;

/** Keyed by state name. A TASKS entry without a profile fails the synth (see profileFor). */
export const TASK_PROFILES: Readonly<Record<string, TaskProfile>> = {
  // BatchWriteItem: a re-claim deletes the previous attempt's label entries (tasks/shared/label-index.ts clearLabelEntries).
  ClaimImage: { memorySize: 256, usesSharp: false, tableActions: ['dynamodb:BatchWriteItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem'] },
  ValidateImage: { memorySize: 1769, usesSharp: true, reads: ['upload'], writes: ['normalized'], listBucket: true },
  CreateThumbnails: { memorySize: 1769, usesSharp: true, reads: ['upload', 'normalized'], writes: ['thumbnail'] },
  DetectFaces: {
    memorySize: 256,
    usesSharp: false,
    // Rekognition reads the image from S3 with the caller's credentials, so the caller needs GetObject.
    reads: ['upload', 'normalized'],
    writes: ['analysis'],
    rekognition: [
      { action: 'rekognition:DetectFaces', analysis: 'faces' },
      // No resource type: "*" only, like DetectFaces. Added only while the celebrities setting is on.
      { action: 'rekognition:RecognizeCelebrities', analysis: 'faces' },
    ],
    // IndexFaces + the people search; DeleteFaces when a newer version took the item meanwhile.
    // rememberExternalImageId (PutItem), recordFaceIds (UpdateItem), personNames (BatchGetItem).
    tableActions: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:BatchGetItem'],
    collection: [
      { action: 'rekognition:IndexFaces', when: 'faceIndexing' },
      { action: 'rekognition:SearchUsers', when: 'faceIndexing' },
      ...DELETE_FACES_ACTIONS.map((action) => ({ action, when: 'faceIndexing' as const })),
    ],
  },
  DetectLabelsAndText: {
    memorySize: 256,
    usesSharp: false,
    reads: ['upload', 'normalized'],
    writes: ['analysis'],
    rekognition: [
      { action: 'rekognition:DetectLabels', analysis: 'labels' },
      { action: 'rekognition:DetectText', analysis: 'text' },
    ],
  },
  DetectModerationLabels: {
    memorySize: 256,
    usesSharp: false,
    reads: ['upload', 'normalized'],
    writes: ['analysis'],
    rekognition: [{ action: 'rekognition:DetectModerationLabels', analysis: 'moderation' }],
  },
  // The bookkeeping tasks write the item with a conditional UpdateItem (tasks/store-result/write-item.ts,
  // tasks/record-failure/mark-failed.ts), then the label entries with BatchWriteItem (tasks/shared/label-index.ts:
  // puts of this version's entries, deletes of stale ones); ClaimImage also reads the item to say why it skips.
  // StoreResult reads the item when its write is refused (superseded, or deleted during the analysis), and in
  // the latter case deletes its own derived objects (tasks/store-result/store-result.ts).
  // Both delete the faces a stored result no longer lists (tasks/shared/faces.ts syncFaceIndex), even with
  // face indexing now off: faces indexed while it was on must still go with their photo's next version.
  StoreResult: {
    memorySize: 256,
    usesSharp: false,
    tableActions: ['dynamodb:BatchWriteItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem'],
    deletes: ['thumbnail', 'normalized', 'analysis'],
    collection: DELETE_FACES_ACTIONS.map((action) => ({ action, when: 'always' as const })),
  },
  RecordFailure: {
    memorySize: 256,
    usesSharp: false,
    // GetItem: whether an item its mark was refused for is gone (the image deleted during its analysis).
    tableActions: ['dynamodb:BatchWriteItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem'],
    collection: DELETE_FACES_ACTIONS.map((action) => ({ action, when: 'always' as const })),
  },
};

export function profileFor(state: string): TaskProfile {
  const profile = TASK_PROFILES[state];
  if (!profile) {
    throw new Error(
      `statemachines/tasks.ts lists "${state}" but infra/constructs/task-functions.ts has no TASK_PROFILES entry for it: ` +
        'add one (memory and exactly the permissions the task uses) before it can be deployed',
    );
  }
  return profile;
}

/**
 * The Lambda timeout for a state: a little under the state's TimeoutSeconds. If the state timed out
 * first, Step Functions would move on (retry, or RecordFailure) while the abandoned invocation kept
 * running and could still write its result afterwards; a Lambda that times out first fails cleanly
 * (Sandbox.Timedout) and the state's Retry/Catch handle it.
 */
export function functionTimeoutFor(state: string, definition: AslDefinition = JSON.parse(readDefinitionText())): Duration {
  const found = allStates(definition).find(([name]) => name === state);
  const stateTimeout = found?.[1].TimeoutSeconds;
  if (typeof stateTimeout !== 'number') {
    throw new Error(
      `state "${state}" in statemachines/image-pipeline.asl.json needs a TimeoutSeconds (the Lambda timeout is derived from it)`,
    );
  }
  const margin = Math.max(5, Math.ceil(stateTimeout * 0.1));
  if (stateTimeout - margin < 3) throw new Error(`state "${state}": TimeoutSeconds ${stateTimeout} is too short for a Lambda task`);
  return Duration.seconds(stateTimeout - margin);
}

export interface PicflowTaskFunctionsProps {
  readonly bucket: s3.IBucket;
  readonly table: dynamodb.ITable;
  readonly prefixes: PicflowPrefixes;
  readonly settings: PicflowTaskSettings;
  readonly architecture: lambda.Architecture;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  /** Folder holding `<task folder>/handler.ts`; its parent holds package.json and package-lock.json. */
  readonly tasksDir: string;
  /** The face collection (ImagePipeline); absent: face indexing off and nothing to delete faces from. */
  readonly faceCollection?: FaceCollectionRef;
  /** Every prefix uploads arrive under (reads of the upload area are granted on each). @default [prefixes.upload] */
  readonly uploadPrefixes?: readonly string[];
}

/** The face collection as the functions need it: its id (environment) and ARN (IAM). */
export interface FaceCollectionRef {
  readonly collectionId: string;
  readonly arn: string;
}

/** The prefixes of an area: several for uploads when the pipeline watches several, one otherwise. */
export function areaPrefixes(props: Pick<PicflowTaskFunctionsProps, 'prefixes' | 'uploadPrefixes'>, area: ObjectArea): readonly string[] {
  return area === 'upload' && props.uploadPrefixes ? props.uploadPrefixes : [props.prefixes[area]];
}

/** One task's function and what belongs to it alone. */
export interface PicflowTaskFunction {
  readonly task: TaskSpec;
  readonly function: lambda.Function;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
}

export class PicflowTaskFunctions extends Construct {
  /** In TASKS order. */
  readonly functions: readonly PicflowTaskFunction[];

  constructor(scope: Construct, id: string, props: PicflowTaskFunctionsProps) {
    super(scope, id);
    const definition = JSON.parse(readDefinitionText()) as AslDefinition;
    const comments = new Map(allStates(definition).map(([name, state]) => [name, typeof state.Comment === 'string' ? state.Comment : '']));
    const environment = taskEnvironment(props);

    this.functions = TASKS.map((task) => {
      const profile = profileFor(task.state);
      const scopeForTask = new Construct(this, task.state);
      const entry = join(props.tasksDir, task.folder, 'handler.ts');
      if (!existsSync(entry)) {
        throw new Error(
          `No handler for task ${task.state}: ${entry} does not exist (statemachines/tasks.ts maps ${task.state} to ` +
            `tasks/${task.folder}/handler.ts)`,
        );
      }

      // Its own log group: retention and removal are ours to set, and the role below can be scoped
      // to exactly this group instead of AWSLambdaBasicExecutionRole's logs:* on every group.
      const logGroup = new logs.LogGroup(scopeForTask, 'LogGroup', {
        retention: props.logRetention,
        removalPolicy: props.removalPolicy,
      });
      const role = new iam.Role(scopeForTask, 'Role', {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: `picflow ${task.state} task`,
      });
      logGroup.grantWrite(role);

      const fn = new NodejsFunction(scopeForTask, 'Function', {
        entry,
        handler: 'handler',
        description: `picflow ${task.state}: ${comments.get(task.state) ?? ''}`.slice(0, 256),
        runtime: lambda.Runtime.NODEJS_22_X,
        architecture: props.architecture,
        memorySize: profile.memorySize,
        timeout: functionTimeoutFor(task.state, definition),
        role,
        logGroup,
        tracing: lambda.Tracing.ACTIVE,
        environment,
        // The project root is tasks/'s parent: package-lock.json there pins sharp and everything esbuild bundles.
        projectRoot: dirname(props.tasksDir),
        depsLockFilePath: lockFileOf(dirname(props.tasksDir)),
        bundling: bundlingFor(profile, props.architecture),
      });
      // npm skips sharp's platform binaries silently when it cannot download them: fail here, not in Lambda.
      if (profile.usesSharp) assertSharpBinaries(fn, task.state, props.architecture, lockFileOf(dirname(props.tasksDir)));

      grantTaskAccess(profile, role, props);
      acknowledgeTaskFindings(task, profile, role, fn, props);
      return { task, function: fn, role, logGroup };
    });
  }
}

/** Exactly the actions the task's profile lists, on exactly its resources. */
function grantTaskAccess(profile: TaskProfile, role: iam.Role, props: PicflowTaskFunctionsProps): void {
  const { bucket, table, settings } = props;
  const objectArns = (areas: readonly ObjectArea[]) =>
    areas.flatMap((area) => areaPrefixes(props, area).map((prefix) => bucket.arnForObjects(`${prefix}*`)));
  if (profile.tableActions?.length) {
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: [...profile.tableActions], resources: [table.tableArn] }));
  }
  if (profile.reads?.length) {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject', 's3:GetObjectVersion'],
        resources: objectArns(profile.reads),
      }),
    );
  }
  if (profile.writes?.length) {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject'],
        resources: objectArns(profile.writes),
      }),
    );
  }
  if (profile.deletes?.length) {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:DeleteObject'],
        resources: objectArns(profile.deletes),
      }),
    );
  }
  if (profile.listBucket) {
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }));
  }
  const rekognitionActions = (profile.rekognition ?? [])
    .filter(({ analysis }) => settings.analyses.includes(analysis))
    .filter(({ action }) => keepsImageAction(action, settings, props.faceCollection !== undefined))
    .map(({ action }) => action);
  const collectionActions = (profile.collection ?? [])
    .filter(({ when }) => when === 'always' || (settings.faceIndexing && settings.analyses.includes('faces')))
    .map(({ action }) => action);
  if (collectionActions.length > 0 && props.faceCollection) {
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: collectionActions, resources: [props.faceCollection.arn] }));
  }
  if (rekognitionActions.length > 0) {
    // Rekognition's Detect* image APIs have no resource type: "*" is the only resource they accept.
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: rekognitionActions, resources: ['*'] }));
  }
}

/** RecognizeCelebrities only with the setting on; DetectFaces only when IndexFaces does not replace it. */
function keepsImageAction(action: string, settings: PicflowTaskSettings, hasCollection: boolean): boolean {
  if (action === 'rekognition:RecognizeCelebrities') return settings.celebrities;
  if (action === 'rekognition:DetectFaces') return !(settings.faceIndexing && hasCollection);
  return true;
}

export function bundlingFor(profile: TaskProfile, architecture: lambda.Architecture): BundlingOptions {
  return {
    target: 'node22',
    minify: true,
    sourceMap: true,
    sourcesContent: false,
    // The SDK is bundled rather than taken from the runtime: the tasks are tested against the
    // versions in package-lock.json, and the runtime's copy changes underneath without notice.
    externalModules: [],
    ...(profile.usesSharp
      ? {
          nodeModules: ['sharp'],
          // npm picks sharp's prebuilt binary for the machine running the install, not for Lambda.
          environment: {
            npm_config_cpu: npmCpuFor(architecture),
            npm_config_os: 'linux',
            npm_config_libc: 'glibc',
          },
        }
      : {}),
  };
}

/** The environment every task reads (tasks/shared/settings.ts: one variable per setting), identical for all of them. */
export function taskEnvironment(
  props: Pick<PicflowTaskFunctionsProps, 'table' | 'prefixes' | 'settings' | 'faceCollection'>,
): Record<string, string> {
  const { table, prefixes, settings } = props;
  return {
    ...settingsEnvironment({
      ...settings,
      ...Object.fromEntries(Object.entries(PREFIX_SETTINGS).map(([area, name]) => [name, prefixes[area as keyof PicflowPrefixes]])),
      tableName: table.tableName,
      faceCollectionId: props.faceCollection?.collectionId,
    }),
    POWERTOOLS_SERVICE_NAME: 'picflow',
    // Stack traces point at the TypeScript sources instead of the minified bundle.
    NODE_OPTIONS: '--enable-source-maps',
  };
}

/** The cdk-nag findings a task function carries by design, each with its reason. */
function acknowledgeTaskFindings(
  task: TaskSpec,
  profile: TaskProfile,
  role: iam.Role,
  fn: lambda.Function,
  props: PicflowTaskFunctionsProps,
): void {
  const usesRekognition = (profile.rekognition ?? []).some(({ analysis }) => props.settings.analyses.includes(analysis));
  acknowledgeWildcardResources(
    role,
    ['*'],
    usesRekognition
      ? `${task.state}: Rekognition Detect* APIs and X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level ` +
          `permissions, so their only valid resource is "*"; the actions themselves are listed one by one.`
      : `${task.state}: ${XRAY_WILDCARD}`,
  );
  const areas = [...new Set([...(profile.reads ?? []), ...(profile.writes ?? []), ...(profile.deletes ?? [])])];
  if (areas.length > 0) {
    const prefixes = areas.flatMap((area) => areaPrefixes(props, area));
    const prefixList = prefixes.join(', ');
    acknowledgeWildcardResources(
      role,
      prefixes.map((prefix) => props.bucket.arnForObjects(`${prefix}*`)),
      `${task.state}: object keys are only known at run time (one per upload), so access is scoped to the objects under ` +
        `picflow's own prefixes (${prefixList}) of this one bucket, with exact actions, never to the whole bucket.`,
    );
  }
  Validations.of(fn).acknowledge({
    id: 'AwsSolutions-L1',
    reason:
      "nodejs22.x is the project's chosen runtime (an active LTS, supported by Lambda until 2027); nodejs24.x is newer, but the tasks, " +
      "sharp's native binaries and Powertools have not been run on it yet. Moving is a deliberate change made after running the task " +
      'tests on Node 24, not a side effect of a CDK upgrade.',
  });
}
