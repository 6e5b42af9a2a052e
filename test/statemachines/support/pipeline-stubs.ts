// Stub task handlers for executing the definition: each returns a contract-shaped result and records
// its calls, and a test can make any of them fail by error name. They stand in for the tasks only in
// definition tests; the tasks themselves are tested in test/tasks and end to end in test/e2e.
import type { TaskHandler } from '../../../local/engine/local-state-machine';
import type {
  AnalysisInput,
  BranchResult,
  ClaimResult,
  DeadLetterMessage,
  ExecutionInput,
  RecordFailureInput,
  StoreResultInput,
  RecordedResult,
  ValidationResult,
} from '../../../tasks/shared/types';

export function namedError(name: string, message = `${name} (injected by the test)`): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

export type Behaviour = (attempt: number) => Error | undefined;

/** Fails with `name` on the first `times` attempts, then succeeds. */
export const failTimes =
  (name: string, times: number): Behaviour =>
  (attempt) =>
    attempt <= times ? namedError(name) : undefined;
/** Fails with `name` on every attempt. */
export const failAlways =
  (name: string): Behaviour =>
  () =>
    namedError(name);

export interface PipelineStubs {
  handlers: Record<string, TaskHandler>;
  integrations: Record<string, TaskHandler>;
  calls: Record<string, unknown[]>;
  deadLetters: DeadLetterMessage[];
}

export function pipelineStubs(
  behaviours: Partial<Record<string, Behaviour>> = {},
  claimDecision: ClaimResult['decision'] = 'PROCESS',
): PipelineStubs {
  const calls: Record<string, unknown[]> = {};
  const deadLetters: DeadLetterMessage[] = [];

  const stub =
    <I, O>(state: string, produce: (input: I) => O): TaskHandler =>
    async (input) => {
      (calls[state] ??= []).push(input);
      const error = behaviours[state]?.(calls[state].length);
      if (error) throw error;
      return produce(input as I);
    };

  const validation = (input: { image: ClaimResult['image'] }): ValidationResult => ({
    format: 'png',
    width: 512,
    height: 512,
    bytes: input.image.size,
    analysisObject: { bucket: input.image.bucket, key: input.image.key },
    normalized: false,
    image: input.image,
  });

  const branch = (result: BranchResult) => (_input: AnalysisInput) => result;

  const handlers: Record<string, TaskHandler> = {
    ClaimImage: stub('ClaimImage', (input: ExecutionInput): ClaimResult => {
      const key = input.event.detail.object.key;
      return {
        decision: claimDecision,
        image: {
          imageId: `${input.event.detail.bucket.name}/${key}`,
          bucket: input.event.detail.bucket.name,
          key,
          etag: input.event.detail.object.etag,
          size: input.event.detail.object.size,
          sequencer: input.event.detail.object.sequencer,
          eventTime: input.event.time,
        },
      };
    }),
    ValidateImage: stub('ValidateImage', validation),
    CreateThumbnails: stub('CreateThumbnails', branch({ branch: 'thumbnails', status: 'SUCCEEDED', durationMs: 40, thumbnails: [] })),
    DetectFaces: stub('DetectFaces', branch({ branch: 'faces', status: 'SUCCEEDED', durationMs: 300, faces: [], faceCount: 0 })),
    DetectLabelsAndText: stub(
      'DetectLabelsAndText',
      branch({ branch: 'labelsAndText', status: 'SUCCEEDED', durationMs: 400, labels: [], text: [] }),
    ),
    DetectModerationLabels: stub(
      'DetectModerationLabels',
      branch({ branch: 'moderation', status: 'SUCCEEDED', durationMs: 90, labels: [], verdict: 'safe' }),
    ),
    StoreResult: stub('StoreResult', (input: StoreResultInput & { event?: ExecutionInput['event'] }): RecordedResult => {
      const failed = input.branches.filter((b) => b.status === 'FAILED');
      if (failed.length === 0) return { imageId: input.image.imageId, status: 'SUCCEEDED', reason: 'all analyses succeeded' };
      const reason = `PARTIAL: ${failed.map((b) => b.branch).join(', ')} failed`;
      return {
        imageId: input.image.imageId,
        status: 'PARTIAL',
        reason,
        deadLetter: {
          imageId: input.image.imageId,
          status: 'PARTIAL',
          reason,
          failures: failed.map((b) => ({ state: b.branch, error: 'BranchFailed', cause: '' })),
          executionId: input.executionId,
          failedAt: new Date().toISOString(),
          originalEvent: input.event as ExecutionInput['event'],
        },
      };
    }),
    RecordFailure: stub('RecordFailure', (input: RecordFailureInput): RecordedResult => {
      const [state, error] = Object.entries(input.failedStates)[0];
      const reason = `${state} failed: ${error.Error}: ${error.Cause ?? ''}`;
      return {
        status: 'FAILED',
        reason,
        deadLetter: {
          status: 'FAILED',
          reason,
          failures: [{ state, error: error.Error, cause: String(error.Cause ?? '') }],
          executionId: input.executionId,
          failedAt: new Date().toISOString(),
          originalEvent: input.event,
        },
      };
    }),
  };

  const integrations: Record<string, TaskHandler> = {
    'sqs:sendMessage': async (input) => {
      const params = input as { QueueUrl: string; MessageBody: DeadLetterMessage };
      (calls.SendToDeadLetterQueue ??= []).push(params);
      const error = behaviours.SendToDeadLetterQueue?.(calls.SendToDeadLetterQueue.length);
      if (error) throw error;
      deadLetters.push(params.MessageBody);
      return { MessageId: `m-${deadLetters.length}` };
    },
  };

  return { handlers, integrations, calls, deadLetters };
}
