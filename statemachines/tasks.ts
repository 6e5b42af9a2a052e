/**
 * The Task states backed by picflow's Lambda handlers: one entry per state, naming its handler folder
 * under tasks/ and the definition substitution that receives its function ARN. The CDK app creates
 * one function per entry; the local runtime registers one in-process handler per entry.
 */
export interface TaskSpec {
  /** The state's name in image-pipeline.asl.json. */
  state: string;
  /** Folder under tasks/ holding `handler.ts`. */
  folder: string;
  /** The `${...}` placeholder in the definition that the function ARN replaces. */
  substitution: string;
}

export const TASKS: readonly TaskSpec[] = [
  'ClaimImage',
  'ValidateImage',
  'CreateThumbnails',
  'DetectFaces',
  'DetectLabelsAndText',
  'DetectModerationLabels',
  'StoreResult',
  'RecordFailure',
].map((state) => ({
  state,
  folder: state.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase(),
  substitution: `${state}FunctionArn`,
}));

/** Placeholders in the definition that are not function ARNs. */
export const OTHER_SUBSTITUTIONS = ['DeadLetterQueueUrl'] as const;

/**
 * The one handler that is not a Task state: the target of the rule on the state machine's own
 * "Execution Status Change" events (statemachines/status-change.ts). infra/ deploys it as its own
 * function; the local runner calls it for each execution that ends FAILED, TIMED_OUT or ABORTED.
 */
export const EXECUTION_NET = { name: 'RecordFailedExecution', folder: 'record-failed-execution' } as const;
