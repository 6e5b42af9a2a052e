/**
 * Loads the task handlers of tasks/ for in-process use: the same modules CDK bundles, called through
 * their `run(input, deps)` with the stack's own configuration and clients (never the process
 * environment, which the Lambda entry point `handler` reads). Which handler serves which state comes
 * from statemachines/tasks.ts, the same list infra/ uses to create the functions.
 */
import { join } from 'node:path';
import type { TaskHandler } from '../engine/local-state-machine';
import { EXECUTION_NET, TASKS } from '../../statemachines/tasks';
import type { TaskDeps } from '../../tasks/shared/aws-clients';
import type { ExecutionStatusChangeEvent } from '../../tasks/shared/types';

const TASKS_DIR = join(__dirname, '..', '..', 'tasks');

type TaskRun = (input: unknown, deps: TaskDeps) => Promise<unknown>;

/** `tasks/<folder>/handler.ts`'s run function. Required when first needed, as Lambda loads it at its first invocation. */
function loadRun(folder: string): TaskRun {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const module = require(join(TASKS_DIR, folder, 'handler')) as { run?: TaskRun };
  if (typeof module.run !== 'function') throw new Error(`tasks/${folder}/handler.ts does not export a run(input, deps) function`);
  return module.run;
}

export function loadTaskHandlers(deps: TaskDeps): Record<string, TaskHandler> {
  return Object.fromEntries(
    TASKS.map((task) => {
      const run = loadRun(task.folder);
      return [task.state, (input: unknown) => run(input, deps)];
    }),
  );
}

/**
 * The execution-status net (tasks/record-failed-execution): not a Task state but the target of the rule
 * on "Step Functions Execution Status Change", which the local runner plays.
 */
export function loadExecutionNetHandler(deps: TaskDeps): (event: ExecutionStatusChangeEvent) => Promise<unknown> {
  const run = loadRun(EXECUTION_NET.folder);
  return (event) => run(event, deps);
}
