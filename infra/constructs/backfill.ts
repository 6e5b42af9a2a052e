/**
 * PicflowBackfill: the backfill state machine (statemachines/backfill.asl.json, the same file `picflow
 * backfill` runs locally) and its one function, PrepareBackfillItem. A Distributed Map lists the bucket
 * under one upload prefix and runs the image pipeline (StartExecution.sync:2) for each object that has no
 * current item, at most `concurrency` at once. Every grant names its exact resource.
 */
import { ArnFormat, Duration, Names, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  type BackfillSettings,
  BACKFILL_DEFINITION_PATH,
  BACKFILL_ITEM_TASK,
  backfillPlaceholders,
  backfillSettingProblems,
  DEFAULT_BACKFILL_CONCURRENCY,
  DEFAULT_BACKFILL_TOLERATED_FAILURE_PERCENTAGE,
} from '../../statemachines/backfill';
import { acknowledgeWildcardResources } from '../acknowledge';
export { type BackfillSettings, backfillSettingProblems } from '../../statemachines/backfill';
import { bundlingFor, lockFileOf, taskEnvironment, type PicflowTaskFunctionsProps } from './task-functions';

export interface PicflowBackfillProps extends Omit<PicflowTaskFunctionsProps, 'bucket'>, BackfillSettings {
  readonly bucket: s3.IBucket;
  /** The image pipeline each object is run through. */
  readonly pipeline: sfn.StateMachine;
  /** Where the Map Run writes its results (item outcomes, failures): a prefix no upload prefix contains. */
  readonly resultsPrefix: string;
}

export class PicflowBackfill extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly function: lambda.Function;
  readonly functionRole: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly concurrency: number;
  /** The state machine's name (fixed at synth: its role names its own ARN). */
  readonly stateMachineName: string;

  constructor(scope: Construct, id: string, props: PicflowBackfillProps) {
    super(scope, id);
    const problems = backfillSettingProblems(props);
    if (problems.length > 0) throw new Error(`PicflowBackfill: invalid props:\n  - ${problems.join('\n  - ')}`);
    this.concurrency = props.concurrency ?? DEFAULT_BACKFILL_CONCURRENCY;
    const stack = Stack.of(this);

    const entry = join(props.tasksDir, BACKFILL_ITEM_TASK.folder, 'handler.ts');
    if (!existsSync(entry)) throw new Error(`No handler for ${BACKFILL_ITEM_TASK.state}: ${entry} does not exist`);
    const functionLogs = new logs.LogGroup(this, 'ItemLogGroup', { retention: props.logRetention, removalPolicy: props.removalPolicy });
    this.functionRole = new iam.Role(this, 'ItemRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `picflow ${BACKFILL_ITEM_TASK.state}`,
    });
    functionLogs.grantWrite(this.functionRole);
    this.function = new NodejsFunction(this, 'ItemFunction', {
      entry,
      handler: 'handler',
      description: 'picflow PrepareBackfillItem: skips an object whose item is current, or builds the event that runs the pipeline on it',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: props.architecture,
      memorySize: 256,
      timeout: Duration.seconds(30),
      role: this.functionRole,
      logGroup: functionLogs,
      tracing: lambda.Tracing.ACTIVE,
      environment: taskEnvironment(props),
      projectRoot: dirname(props.tasksDir),
      depsLockFilePath: lockFileOf(dirname(props.tasksDir)),
      bundling: bundlingFor({ memorySize: 256, usesSharp: false }, props.architecture),
    });
    // It reads the item, nothing else.
    this.functionRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['dynamodb:GetItem'], resources: [props.table.tableArn] }));

    // Named here (not by CloudFormation) so the role can name the state machine's own ARN: a Distributed
    // Map starts its child executions on it, and a reference to the state machine would be a cycle.
    const name = Names.uniqueResourceName(this, { maxLength: 80, separator: '-' });
    this.stateMachineName = name;
    const ownArn = stack.formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: name,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const executionsOf = (machine: string) =>
      stack.formatArn({ service: 'states', resource: 'execution', resourceName: `${machine}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    const childExecutions = stack.formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${name}/*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });

    this.logGroup = new logs.LogGroup(this, 'StateMachineLogs', {
      logGroupName: `/aws/vendedlogs/states/${name}`,
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    const substitutions: Record<string, string> = {
      BucketName: props.bucket.bucketName,
      Region: stack.region,
      Account: stack.account,
      BackfillConcurrency: String(this.concurrency),
      BackfillToleratedFailurePercentage: String(props.toleratedFailurePercentage ?? DEFAULT_BACKFILL_TOLERATED_FAILURE_PERCENTAGE),
      BackfillResultsPrefix: props.resultsPrefix,
      ImagePipelineArn: props.pipeline.stateMachineArn,
      [BACKFILL_ITEM_TASK.substitution]: this.function.functionArn,
    };
    const missing = backfillPlaceholders().filter((placeholder) => substitutions[placeholder] === undefined);
    if (missing.length > 0) throw new Error(`statemachines/backfill.asl.json uses placeholder(s) with no value: ${missing.join(', ')}`);
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: name,
      definitionBody: sfn.DefinitionBody.fromFile(BACKFILL_DEFINITION_PATH),
      definitionSubstitutions: substitutions,
      stateMachineType: sfn.StateMachineType.STANDARD,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ERROR, includeExecutionData: false },
      tracingEnabled: true,
    });

    const pipelineExecutions = executionsOf(props.pipeline.stateMachineName);
    const syncRule = stack.formatArn({
      service: 'events',
      resource: 'rule',
      resourceName: 'StepFunctionsGetEventsForStepFunctionsExecutionRule',
    });
    const uploads = props.uploadPrefixes ?? [props.prefixes.upload];
    const results = props.bucket.arnForObjects(`${props.resultsPrefix}*`);
    const grant = (actions: string[], resources: string[], conditions?: Record<string, unknown>) =>
      this.stateMachine.addToRolePolicy(new iam.PolicyStatement({ actions, resources, conditions }));
    grant(['lambda:InvokeFunction'], [this.function.functionArn]);
    // The ItemReader lists only under the upload prefixes.
    grant(['s3:ListBucket'], [props.bucket.bucketArn], { StringLike: { 's3:prefix': uploads.map((p) => `${p}*`) } });
    // ResultWriter: the Map Run's results, under the analysis prefix.
    grant(['s3:PutObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'], [results]);
    // The Map's child executions.
    grant(['states:StartExecution'], [ownArn]);
    grant(['states:DescribeExecution', 'states:StopExecution'], [executionsOf(name), childExecutions]);
    // StartExecution.sync:2 on the image pipeline: start it, follow it (a managed EventBridge rule), stop it when aborted.
    grant(['states:StartExecution'], [props.pipeline.stateMachineArn]);
    grant(['states:DescribeExecution', 'states:StopExecution'], [pipelineExecutions]);
    grant(['events:PutTargets', 'events:PutRule', 'events:DescribeRule'], [syncRule]);

    acknowledgeWildcardResources(
      this.stateMachine.role,
      [results, executionsOf(name), childExecutions, pipelineExecutions, '*'],
      'Execution names and result object keys are only known at run time: DescribeExecution/StopExecution are scoped to the ' +
        "executions of the backfill's own and the image pipeline's state machines, the Map Run's results to its prefix; CloudWatch " +
        'Logs vended delivery and X-Ray support no resource-level permissions ("*").',
    );
    acknowledgeWildcardResources(
      this.functionRole,
      ['*'],
      `${BACKFILL_ITEM_TASK.state}: X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions.`,
    );
    Validations.of(this.stateMachine).acknowledge({
      id: 'AwsSolutions-SF1',
      reason:
        'Errors (ERROR level) are logged, without execution data: the Map Run and each child execution keep their history in Step ' +
        'Functions, and ALL-level logs would copy every object key into a second store.',
    });
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason: "nodejs22.x is the project's chosen runtime for every picflow function (see the task functions).",
    });
  }
}
