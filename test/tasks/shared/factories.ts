/**
 * Test data for the claim / store / record-failure tasks. Every factory returns a fresh object, so a
 * test can never change another test's fixture.
 */
import type {
  BranchName,
  BranchResult,
  ExecutionInput,
  FacesBranchResult,
  ImageRef,
  LabelsAndTextBranchResult,
  ModerationBranchResult,
  RecordFailureInput,
  S3ObjectCreatedEvent,
  StoreResultInput,
  ThumbnailsBranchResult,
  ValidationResult,
} from '../../../tasks/shared/types';
import { objectCreatedEvent } from '../../support/events';

export const BUCKET = 'picflow-uploads';
export const SEQUENCER = '0062E99A88DC407460';
export const NEWER_SEQUENCER = '0062E99A88DC407461';
export const OLDER_SEQUENCER = '0062E99A88DC40745F';
export const EXECUTION_ID = 'arn:aws:states:us-east-1:123456789012:execution:picflow:exec-1';
export const OTHER_EXECUTION_ID = 'arn:aws:states:us-east-1:123456789012:execution:picflow:exec-2';

export interface EventOptions {
  key?: string;
  bucket?: string;
  sequencer?: string;
  versionId?: string;
  size?: number;
  etag?: string;
}

export function s3Event(options: EventOptions = {}): S3ObjectCreatedEvent {
  return objectCreatedEvent({
    bucket: options.bucket ?? BUCKET,
    key: options.key ?? 'uploads/cat.jpg',
    size: options.size ?? 12345,
    etag: options.etag,
    versionId: options.versionId,
    sequencer: options.sequencer ?? SEQUENCER,
  });
}

export function imageRef(options: EventOptions = {}): ImageRef {
  const key = options.key ?? 'uploads/cat.jpg';
  const bucket = options.bucket ?? BUCKET;
  return {
    imageId: `${bucket}/${key}`,
    bucket,
    key,
    ...(options.versionId ? { versionId: options.versionId } : {}),
    etag: options.etag ?? 'b1946ac92492d2347c6235b4d2611184',
    size: options.size ?? 12345,
    sequencer: options.sequencer ?? SEQUENCER,
    eventTime: s3Event().time,
  };
}

export function executionInput(options: EventOptions & { executionId?: string } = {}): ExecutionInput {
  return {
    event: s3Event(options),
    executionId: options.executionId ?? EXECUTION_ID,
    startedAt: '2024-05-01T10:00:01.000Z',
  };
}

export function validation(overrides: Partial<ValidationResult> = {}): ValidationResult {
  return {
    format: 'jpeg',
    width: 800,
    height: 600,
    bytes: 12345,
    analysisObject: { bucket: BUCKET, key: 'uploads/cat.jpg' },
    normalized: false,
    image: imageRef(),
    ...overrides,
  };
}

export function thumbnailsOk(): ThumbnailsBranchResult {
  return {
    branch: 'thumbnails',
    status: 'SUCCEEDED',
    durationMs: 120,
    thumbnails: [
      { name: 'cover-128x128', key: 'thumbnails/cat-cover-128x128.jpg', width: 128, height: 128, fit: 'cover', bytes: 4000 },
      { name: 'inside-512x512', key: 'thumbnails/cat-inside-512x512.jpg', width: 512, height: 384, fit: 'inside', bytes: 30000 },
    ],
  };
}

export function facesOk(emotions: string[] = ['HAPPY']): FacesBranchResult {
  return {
    branch: 'faces',
    status: 'SUCCEEDED',
    durationMs: 300,
    faces: emotions.map((emotion) => ({
      box: { left: 0.1, top: 0.2, width: 0.3, height: 0.4 },
      confidence: 99.9,
      emotions: [{ type: emotion, confidence: 95 }],
      dominantEmotion: emotion,
    })),
    faceCount: emotions.length,
    rawRef: 's3://picflow-uploads/analysis/cat.jpg/faces.json',
  };
}

export function labelsAndTextOk(labels = 12, lines = 3): LabelsAndTextBranchResult {
  return {
    branch: 'labelsAndText',
    status: 'SUCCEEDED',
    durationMs: 250,
    labels: Array.from({ length: labels }, (_, i) => ({ name: `Label${i}`, confidence: 90, parents: [], instances: [] })),
    text: Array.from({ length: lines }, (_, i) => ({ text: `line ${i}`, confidence: 95 })),
    rawRefs: { labels: 's3://picflow-uploads/analysis/cat.jpg/labels.json', text: 's3://picflow-uploads/analysis/cat.jpg/text.json' },
  };
}

export function moderationOk(verdict: 'safe' | 'suggestive' | 'explicit' = 'safe'): ModerationBranchResult {
  return {
    branch: 'moderation',
    status: 'SUCCEEDED',
    durationMs: 200,
    verdict,
    labels: verdict === 'safe' ? [] : [{ name: 'Suggestive', parentName: '', confidence: 80 }],
    rawRef: 's3://picflow-uploads/analysis/cat.jpg/moderation.json',
  };
}

export function skipped(branch: BranchName): BranchResult {
  return { branch, status: 'SKIPPED' } as BranchResult;
}

/** What a branch's `<State>Failed` Pass state outputs. */
export function failed(branch: BranchName, error: string, cause?: string): BranchResult {
  return { branch, status: 'FAILED', failure: { Error: error, ...(cause !== undefined ? { Cause: cause } : {}) } } as BranchResult;
}

/** Lambda's error output as Step Functions puts it in `Cause`. */
export function lambdaCause(errorType: string, errorMessage: string): string {
  return JSON.stringify({ errorType, errorMessage, trace: [`${errorType}: ${errorMessage}`, '    at handler (/var/task/index.js:1:1)'] });
}

export function allSucceeded(): BranchResult[] {
  return [thumbnailsOk(), facesOk(), labelsAndTextOk(), moderationOk()];
}

export function storeInput(
  options: EventOptions & { branches?: BranchResult[]; validation?: ValidationResult; executionId?: string } = {},
): StoreResultInput {
  return {
    image: imageRef(options),
    validation: options.validation ?? validation(),
    branches: options.branches ?? allSucceeded(),
    executionId: options.executionId ?? EXECUTION_ID,
    startedAt: '2024-05-01T10:00:01.000Z',
    event: s3Event(options),
  };
}

export function recordFailureInput(
  options: EventOptions & {
    executionId?: string;
    withClaim?: boolean;
    event?: unknown;
    failedStates?: RecordFailureInput['failedStates'];
  } = {},
): RecordFailureInput {
  return {
    event: (options.event ?? s3Event(options)) as S3ObjectCreatedEvent,
    executionId: options.executionId ?? EXECUTION_ID,
    startedAt: '2024-05-01T10:00:01.000Z',
    ...(options.withClaim === false ? {} : { claim: { image: imageRef(options), decision: 'PROCESS' as const } }),
    failedStates: options.failedStates ?? {
      ValidateImage: {
        Error: 'ImageValidationError',
        Cause: lambdaCause('ImageValidationError', 'CORRUPT: the JPEG data ends early (truncated file)'),
      },
    },
  };
}

/** What DynamoDB answers when a condition expression is false (dynalite sends an empty message). */
export function conditionFailed(): Error {
  return Object.assign(new Error('The conditional request failed'), {
    name: 'ConditionalCheckFailedException',
    $metadata: { httpStatusCode: 400 },
  });
}

/**
 * The bookkeeping tasks' test set-up: the DocumentClient mock reset, the clock frozen at `now` (their
 * timestamps and claim timeouts come from it), and the environment they read.
 */
export function useTaskEnvironment(ddb: { reset(): void }, now: Date, env: Record<string, string | undefined>): void {
  beforeEach(() => {
    ddb.reset();
    jest.useFakeTimers({ now, doNotFake: ['nextTick', 'setImmediate'] });
    for (const [name, value] of Object.entries(env)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  afterEach(() => {
    jest.useRealTimers();
  });
}
