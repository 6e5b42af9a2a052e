/**
 * Runs THE definition (statemachines/image-pipeline.asl.json) in-process with aws-local-stepfunctions.
 * Lambda-backed Task states call handlers registered by state name; service-integration Task states
 * (`arn:aws:states:::sqs:sendMessage`, ...) call integration handlers registered by resource. The
 * engine itself never calls AWS: every Task state must have a local handler, or construction fails.
 */
import './promise-with-resolvers';
import { StateMachine } from 'aws-local-stepfunctions';
import { allStates, definitionPlaceholders, loadDefinition, readDefinitionText, type AslDefinition } from '../../statemachines/definition';
import { LOCAL_ACCOUNT } from '../local-account';

/** One entry of an execution's event history (the engine does not export the type). */
export type EventLog = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

/** A task handler as Lambda sees it: JSON in, JSON out, errors matched by `name`. */
export type TaskHandler = (input: unknown) => Promise<unknown>;

/** Step Functions' limit on a state's input or output. */
export const STATE_PAYLOAD_LIMIT_BYTES = 256 * 1024;

const SERVICE_INTEGRATION_PREFIX = 'arn:aws:states:::';

export interface LocalStateMachineOptions {
  /** Handlers for Lambda-backed Task states, keyed by state name. */
  handlers: Record<string, TaskHandler>;
  /** Handlers for service integrations, keyed by resource without its prefix, e.g. `sqs:sendMessage`. */
  integrations: Record<string, TaskHandler>;
  /** Values for non-function placeholders, e.g. `DeadLetterQueueUrl`. */
  substitutions: Record<string, string>;
  /** Region and state machine name used to build execution ARNs. */
  region?: string;
  stateMachineName?: string;
  /** Another definition than THE pipeline's, already filled in (the backfill's item processor). @default image-pipeline.asl.json */
  definition?: AslDefinition;
}

export interface ExecuteOptions {
  /** The execution's name (unique per state machine, as on AWS). */
  name: string;
  /** Milliseconds to wait before each retry, per state: tests use 0 to skip backoff sleeps. */
  retryIntervalOverrides?: Record<string, number | number[]>;
  /** Called for every event of the execution's history, as it happens. */
  onEvent?: (event: EventLog) => void;
  /**
   * Ends the execution TIMED_OUT after this many seconds, as Step Functions does.
   * @default the definition's top-level TimeoutSeconds
   */
  timeoutSeconds?: number;
  /** Aborting it stops the execution, which ends ABORTED (Step Functions' StopExecution). */
  signal?: AbortSignal;
}

export interface ExecutionOutcome {
  executionArn: string;
  status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  output?: unknown;
  error?: string;
  cause?: string;
  events: EventLog[];
  startedAt: string;
  stoppedAt: string;
}

export class LocalStateMachine {
  readonly definition: AslDefinition;
  readonly stateMachineArn: string;
  /** One engine per execution timeout: the engine reads TimeoutSeconds from its definition. */
  private readonly machines = new Map<number | undefined, StateMachine>();
  private readonly taskHandlers: Record<string, (input: unknown) => Promise<unknown>>;

  constructor(private readonly options: LocalStateMachineOptions) {
    const region = options.region ?? 'local';
    const name = options.stateMachineName ?? 'picflow';
    this.stateMachineArn = `arn:aws:states:${region}:${LOCAL_ACCOUNT}:stateMachine:${name}`;
    const substitutions: Record<string, string> = { ...options.substitutions };
    for (const placeholder of definitionPlaceholders(readDefinitionText())) {
      if (placeholder.endsWith('FunctionArn')) {
        substitutions[placeholder] ??=
          `arn:aws:lambda:${region}:${LOCAL_ACCOUNT}:function:picflow-${placeholder.replace(/FunctionArn$/, '')}`;
      }
    }
    this.definition = options.definition ?? loadDefinition(substitutions);
    this.taskHandlers = this.bindTaskHandlers();
    // Constructing validates the definition (~100-200 ms): do it once, reuse for every execution.
    this.machines.set(this.definition.TimeoutSeconds, new StateMachine(this.definition as never, {}));
  }

  /** The engine for an execution timeout, made (without validating again) on first use. */
  private machineFor(timeoutSeconds: number | undefined): StateMachine {
    let machine = this.machines.get(timeoutSeconds);
    if (!machine) {
      const { TimeoutSeconds: _default, ...rest } = this.definition;
      const definition = timeoutSeconds === undefined ? rest : { ...rest, TimeoutSeconds: timeoutSeconds };
      machine = new StateMachine(definition as never, { validationOptions: { noValidate: true } });
      this.machines.set(timeoutSeconds, machine);
    }
    return machine;
  }

  /** Starts one execution and resolves when it ends (never rejects for a failed execution). */
  async execute(input: unknown, options: ExecuteOptions): Promise<ExecutionOutcome> {
    const executionArn = this.executionArn(options.name);
    const startedAt = new Date().toISOString();
    const run = this.machineFor(options.timeoutSeconds ?? this.definition.TimeoutSeconds).run(input as never, {
      overrides: {
        taskResourceLocalHandlers: this.taskHandlers as never,
        retryIntervalOverrides: options.retryIntervalOverrides,
      },
      // The engine's context object only has what we give it: the definition reads Execution.Id and
      // StartTime. (patches/aws-local-stepfunctions+3.0.0.patch keeps our StartTime: the engine
      // overwrote it with its own clock, a millisecond off the execution record's; and it adds
      // State.Name, EnteredTime and RetryCount, which the engine never set.)
      context: { Execution: { Id: executionArn, Name: options.name, Input: input as never, StartTime: startedAt, RoleArn: '' } },
    });
    if (options.signal?.aborted) run.abort();
    else options.signal?.addEventListener('abort', () => run.abort(), { once: true });
    const events: EventLog[] = [];
    const collecting = (async () => {
      for await (const event of run.eventLogs) {
        events.push(event);
        options.onEvent?.(event);
      }
    })();
    let outcome: Omit<ExecutionOutcome, 'events' | 'stoppedAt'>;
    try {
      const output = await run.result;
      outcome = { executionArn, status: 'SUCCEEDED', output, startedAt };
    } catch (error) {
      const { name, message, cause } = describeExecutionError(error);
      outcome = { executionArn, status: ENDED_BY[name] ?? 'FAILED', error: name, cause: cause ?? message, startedAt };
      // Step Functions' names for the two ends no state caused.
      if (name === 'ExecutionTimeoutError')
        Object.assign(outcome, { error: 'States.Timeout', cause: `The execution ran longer than its TimeoutSeconds` });
      if (name === 'ExecutionAbortedError') Object.assign(outcome, { error: undefined, cause: undefined });
    }
    await collecting;
    const failed = events.find((e) => e.type === 'ExecutionFailed') as (EventLog & { Error?: string; Cause?: unknown }) | undefined;
    if (failed) {
      outcome.error = failed.Error;
      outcome.cause = typeof failed.Cause === 'string' ? failed.Cause : JSON.stringify(failed.Cause);
    }
    return { ...outcome, events, stoppedAt: new Date().toISOString() };
  }

  executionArn(name: string): string {
    return `${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  }

  /** One wrapped handler per Task state of the definition; fails fast if any has none. */
  private bindTaskHandlers(): Record<string, (input: unknown) => Promise<unknown>> {
    const bound: Record<string, (input: unknown) => Promise<unknown>> = {};
    const missing: string[] = [];
    for (const [name, state] of allStates(this.definition)) {
      if (state.Type !== 'Task' || !state.Resource) continue;
      const handler = state.Resource.startsWith(SERVICE_INTEGRATION_PREFIX)
        ? this.options.integrations[state.Resource.slice(SERVICE_INTEGRATION_PREFIX.length)]
        : this.options.handlers[name];
      if (!handler) missing.push(`${name} (${state.Resource})`);
      else bound[name] = asLambda(name, handler);
    }
    if (missing.length > 0) throw new Error(`No local handler for Task state(s): ${missing.join(', ')}`);
    return bound;
  }
}

/**
 * Makes an in-process handler behave like a Lambda invocation: the input and output cross a JSON
 * boundary (no shared references, no `undefined`), and Step Functions' 256 KB payload limit applies.
 * Over the limit, the error is States.DataLimitExceeded and, as on AWS, terminal: no Retry or Catch
 * (not even `States.ALL`) handles it, so the whole execution fails (the engine honours
 * `isRetryable` / `isCatchable` on an error, as its own States.Runtime errors use them).
 */
function asLambda(stateName: string, handler: TaskHandler): (input: unknown) => Promise<unknown> {
  return async (input) => {
    const output = await handler(JSON.parse(JSON.stringify(input ?? null)));
    const json = JSON.stringify(output ?? null);
    if (Buffer.byteLength(json) > STATE_PAYLOAD_LIMIT_BYTES) {
      const error = new Error(`${stateName} returned ${Buffer.byteLength(json)} bytes, over the 262144-byte state payload limit`);
      error.name = 'States.DataLimitExceeded';
      throw Object.assign(error, { isRetryable: false, isCatchable: false });
    }
    return JSON.parse(json);
  };
}

const ENDED_BY: Record<string, ExecutionOutcome['status']> = { ExecutionAbortedError: 'ABORTED', ExecutionTimeoutError: 'TIMED_OUT' };

function describeExecutionError(error: unknown): { name: string; message: string; cause?: string } {
  const err = error as { name?: string; message?: string; cause?: unknown };
  return {
    name: err?.name ?? 'Error',
    message: err?.message ?? String(error),
    cause: typeof err?.cause === 'string' ? err.cause : undefined,
  };
}
