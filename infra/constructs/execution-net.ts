/**
 * The net under the net: an EventBridge rule on the state machine's own "Step Functions Execution
 * Status Change" events (FAILED, TIMED_OUT, ABORTED; pattern in statemachines/status-change.ts, which
 * the local runner matches too) and its target, the RecordFailedExecution function. It records what
 * no Catch can: timeouts, aborts, States.DataLimitExceeded, States.Runtime, and failures of RecordFailure
 * or SendToDeadLetterQueue themselves. Not a Task state, so not in statemachines/tasks.ts TASKS: it gets
 * the task functions' settings (runtime, bundling, environment, tracing) and its own role and log group.
 */
import { ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { executionEndedBadlyPattern } from '../../statemachines/status-change';
import { EXECUTION_NET } from '../../statemachines/tasks';
import { acknowledgeWildcardResources, XRAY_WILDCARD } from '../acknowledge';
import { toCdkEventPattern } from './pipeline';
import { bundlingFor, lockFileOf, taskEnvironment, type PicflowTaskFunctionsProps } from './task-functions';

/** The task functions' settings (minus the bucket: the net never touches objects), and what the net adds. */
export interface PicflowExecutionNetProps extends Omit<PicflowTaskFunctionsProps, 'bucket'> {
  readonly stateMachine: sfn.StateMachine;
  readonly deadLetterQueue: sqs.IQueue;
  /** EventBridge's attempts to invoke the function before the event goes to the dead-letter queue. */
  readonly retryAttempts: number;
  readonly maxEventAge: Duration;
}

/** Exactly what tasks/record-failed-execution calls. */
export const EXECUTION_NET_ACTIONS = {
  table: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
  queue: ['sqs:SendMessage'],
  executions: ['states:DescribeExecution'],
} as const;

/** Why DescribeExecution is granted on every execution of the state machine (cdk-nag finding text). */
const DESCRIBE_EXECUTION_SCOPE =
  'DescribeExecution (for an input too large for the event) on the executions of this one state machine; ' +
  'execution names are only known at run time.';

export class PicflowExecutionNet extends Construct {
  readonly rule: events.Rule;
  readonly function: lambda.Function;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: PicflowExecutionNetProps) {
    super(scope, id);
    const entry = join(props.tasksDir, EXECUTION_NET.folder, 'handler.ts');
    if (!existsSync(entry)) throw new Error(`No handler for ${EXECUTION_NET.name}: ${entry} does not exist`);

    this.logGroup = new logs.LogGroup(this, 'LogGroup', { retention: props.logRetention, removalPolicy: props.removalPolicy });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `picflow ${EXECUTION_NET.name}`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      entry,
      handler: 'handler',
      description:
        'picflow RecordFailedExecution: records executions that ended FAILED, TIMED_OUT or ABORTED without recording their failure ' +
        '(item FAILED + dead letter)',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: props.architecture,
      memorySize: 256,
      timeout: Duration.seconds(60),
      role: this.role,
      logGroup: this.logGroup,
      tracing: lambda.Tracing.ACTIVE,
      environment: { ...taskEnvironment(props), DEAD_LETTER_QUEUE_URL: props.deadLetterQueue.queueUrl },
      projectRoot: dirname(props.tasksDir),
      depsLockFilePath: lockFileOf(dirname(props.tasksDir)),
      bundling: bundlingFor({ memorySize: 256, usesSharp: false }, props.architecture),
      // EventBridge invokes asynchronously: when the handler itself keeps failing (Lambda retries twice),
      // the event lands in the same queue as every other image that did not make it; replay reads it.
      retryAttempts: 2,
      deadLetterQueue: props.deadLetterQueue,
    });

    const executions = Stack.of(this).formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${props.stateMachine.stateMachineName}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: [...EXECUTION_NET_ACTIONS.table], resources: [props.table.tableArn] }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: [...EXECUTION_NET_ACTIONS.queue], resources: [props.deadLetterQueue.queueArn] }),
    );
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: [...EXECUTION_NET_ACTIONS.executions], resources: [executions] }));

    this.rule = new events.Rule(this, 'Rule', {
      description: 'picflow: record executions of the image pipeline that ended FAILED, TIMED_OUT or ABORTED',
      eventPattern: toCdkEventPattern(executionEndedBadlyPattern(props.stateMachine.stateMachineArn)),
      targets: [
        new targets.LambdaFunction(this.function, {
          retryAttempts: props.retryAttempts,
          maxEventAge: props.maxEventAge,
          deadLetterQueue: props.deadLetterQueue,
        }),
      ],
    });

    acknowledgeWildcardResources(this.role, ['*'], `${EXECUTION_NET.name}: ${XRAY_WILDCARD}`);
    acknowledgeWildcardResources(this.role, [executions], `${EXECUTION_NET.name}: ${DESCRIBE_EXECUTION_SCOPE}`);
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        "nodejs22.x is the project's chosen runtime for every picflow function (see the task functions); moving to nodejs24.x is a " +
        'deliberate change made after running the task tests on Node 24.',
    });
  }
}
