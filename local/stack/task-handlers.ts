/**
 * Loads the Lambda handlers of tasks/ for in-process use: the same modules CDK bundles, called with the
 * state's input and a Lambda-like context. Which handler serves which state comes from
 * statemachines/tasks.ts, the same list infra/ uses to create the functions.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Context } from 'aws-lambda';
import type { TaskHandler } from '../engine/local-state-machine';
import { LOCAL_ACCOUNT } from '../local-account';
import { EXECUTION_NET, TASKS } from '../../statemachines/tasks';
import type { ExecutionStatusChangeEvent } from '../../tasks/shared/types';

const TASKS_DIR = join(__dirname, '..', '..', 'tasks');

type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

export function loadTaskHandlers(): Record<string, TaskHandler> {
  return Object.fromEntries(
    TASKS.map((task) => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const module = require(join(TASKS_DIR, task.folder, 'handler')) as { handler?: LambdaHandler };
      if (typeof module.handler !== 'function') throw new Error(`tasks/${task.folder}/handler.ts does not export a handler function`);
      const handler = module.handler;
      return [task.state, (input: unknown) => handler(input, lambdaContext(task.state))];
    }),
  );
}

/**
 * The execution-status net (tasks/record-failed-execution): not a Task state but the target of the rule
 * on "Step Functions Execution Status Change", which the local runner plays.
 */
export function loadExecutionNetHandler(): (event: ExecutionStatusChangeEvent) => Promise<unknown> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const module = require(join(TASKS_DIR, EXECUTION_NET.folder, 'handler')) as { handler: LambdaHandler };
  return (event) => module.handler(event, lambdaContext(EXECUTION_NET.name));
}

/** What a handler could read from Lambda's context; picflow's handlers log the request id at most. */
function lambdaContext(state: string): Context {
  const deadline = Date.now() + 300_000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: `picflow-${state}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:${LOCAL_ACCOUNT}:function:picflow-${state}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/picflow-${state}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
