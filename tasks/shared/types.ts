/**
 * The contract of the pipeline: the event that starts it, the payload each state hands to the next,
 * and the DynamoDB item it stores. Every task, the local runtime and the tests import these types;
 * the README's item schema is checked against them (test/docs/readme.test.ts).
 */
import type { ImageCard } from './image-card';

/** The EventBridge event S3 sends for a new object ("Object Created", source "aws.s3"). */
export interface S3ObjectCreatedEvent {
  version: string;
  id: string;
  'detail-type': 'Object Created';
  source: 'aws.s3';
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: {
    version: string;
    bucket: { name: string };
    object: {
      /** Raw, NOT URL-encoded: EventBridge delivers the key as stored (classic S3 notifications encode it). */
      key: string;
      size: number;
      etag: string;
      'version-id'?: string;
      /** Hex string that orders events for the same key: a later write has a greater sequencer. */
      sequencer: string;
    };
    'request-id': string;
    requester: string;
    'source-ip-address'?: string;
    reason: string;
  };
}

/** The state machine's working document after its first (Pass) state. */
export interface ExecutionInput {
  event: S3ObjectCreatedEvent;
  executionId: string;
  startedAt: string;
}

/** One uploaded object, read from the event. `imageId` is the item's partition key. */
export interface ImageRef {
  /** `bucket/key` with the event's raw key; stays so even when ValidateImage resolves another key. */
  imageId: string;
  bucket: string;
  /** The object key as S3 APIs take it (the event's raw key, or the one ValidateImage resolved). */
  key: string;
  versionId?: string;
  etag: string;
  size: number;
  sequencer: string;
  eventTime: string;
}

export interface S3Location {
  bucket: string;
  key: string;
}

/** Output of ClaimImage (stored at `$.claim`). */
export interface ClaimResult {
  image: ImageRef;
  /** SKIP when this object version already has a final result or a newer version was claimed. */
  decision: 'PROCESS' | 'SKIP';
  reason?: string;
}

export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'gif' | 'tiff' | 'avif' | 'heif';

/** Output of ValidateImage (stored at `$.validation`). */
export interface ValidationResult {
  format: ImageFormat;
  /** Display width and height, after EXIF orientation is applied. */
  width: number;
  height: number;
  bytes: number;
  /** The object the analyses read: the upload itself, or a JPEG copy Rekognition accepts. */
  analysisObject: S3Location;
  normalized: boolean;
  normalizedReason?: string;
  /**
   * The image the later states read (the definition passes `$.validation.image` on): the claim's,
   * with `key` replaced when the event's raw key named no object and its form-decoded reading, with
   * the event's ETag, did.
   */
  image: ImageRef;
}

/**
 * Where an invocation's log lines belong: the definition passes `$$.Execution.Id` and `$$.State.Name`
 * to every task that is not given the whole working document (which carries `executionId` already).
 */
export interface InvocationContext {
  executionId?: string;
  state?: string;
}

/** What ValidateImage receives (its Parameters). */
export interface ValidationInput extends InvocationContext {
  image: ImageRef;
}

/** What every analysis branch's task receives (its Parameters). */
export interface AnalysisInput extends InvocationContext {
  image: ImageRef;
  validation: ValidationResult;
}

export type BranchName = 'thumbnails' | 'faces' | 'labelsAndText' | 'moderation';
export type BranchStatus = 'SUCCEEDED' | 'SKIPPED' | 'FAILED';

/** A box as ratios of the image's width and height, Rekognition's convention. */
export interface BoundingBox {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface Thumbnail {
  name: string;
  key: string;
  width: number;
  height: number;
  fit: 'cover' | 'inside';
  bytes: number;
}

export interface Emotion {
  type: string;
  confidence: number;
}

export interface BooleanAttribute {
  value: boolean;
  confidence: number;
}

export interface Face {
  box: BoundingBox;
  /** The face's id in the face collection, when face indexing is on and Rekognition indexed it. */
  faceId?: string;
  confidence: number;
  /** Sorted by confidence, highest first. */
  emotions: Emotion[];
  dominantEmotion?: string;
  ageRange?: { low: number; high: number };
  gender?: { value: string; confidence: number };
  smile?: BooleanAttribute;
  eyesOpen?: BooleanAttribute;
  mouthOpen?: BooleanAttribute;
  eyeglasses?: BooleanAttribute;
  sunglasses?: BooleanAttribute;
}

export interface Label {
  name: string;
  confidence: number;
  parents: string[];
  instances: { box: BoundingBox; confidence: number }[];
}

/** A dominant colour of the image (DetectLabels IMAGE_PROPERTIES), compact: the raw response has the rest. */
export interface DominantColor {
  /** `#rrggbb`, lower case. */
  hex: string;
  /** The CSS colour name, e.g. `darkslategrey`. */
  css: string;
  /** One of Rekognition's 12 simplified colours, e.g. `grey`. */
  simplified: string;
  /** Share of the image's pixels, 0-100. */
  percent: number;
}

/** The whole image's quality (DetectLabels IMAGE_PROPERTIES), each 0-100. */
export interface ImageQuality {
  brightness: number;
  sharpness: number;
  contrast: number;
}

export interface TextLine {
  text: string;
  confidence: number;
  box?: BoundingBox;
}

export interface ModerationLabel {
  name: string;
  parentName: string;
  confidence: number;
}

export type ModerationVerdict = 'safe' | 'suggestive' | 'explicit' | 'unavailable';

interface BranchOutcome<B extends BranchName> {
  branch: B;
  status: BranchStatus;
  durationMs?: number;
  /**
   * Set when status is FAILED: the Catch's error output, as the branch's `<State>Failed` Pass state
   * forwards it. `Cause` may be Lambda's JSON (`{"errorType","errorMessage","trace"}`), plain text, or absent.
   */
  failure?: { Error: string; Cause?: string };
}

export interface ThumbnailsBranchResult extends BranchOutcome<'thumbnails'> {
  thumbnails?: Thumbnail[];
}

/** A named person recognised on one of the image's faces (SearchUsers against the collection's users). */
export interface RecognisedPerson {
  userId: string;
  /** From the `#person/` entry; absent for a user nobody has named yet. */
  name?: string;
  similarity: number;
  faceId: string;
}

export interface Celebrity {
  name: string;
  id?: string;
  urls: string[];
  matchConfidence: number;
  box: BoundingBox;
}

/** RecognizeCelebrities' outcome: `unavailable` says why (off, or an endpoint without it), never an empty success. */
export type CelebritiesResult = { status: 'SUCCEEDED'; celebrities: Celebrity[] } | { status: 'unavailable'; reason: string };

export interface FacesBranchResult extends BranchOutcome<'faces'> {
  faces?: Face[];
  /** Faces Rekognition found; `faces` may hold fewer when capped. */
  faceCount?: number;
  rawRef?: string;
  /** The ExternalImageId the faces were indexed under (tasks/shared/faces.ts), when indexed. */
  externalImageId?: string;
  people?: RecognisedPerson[];
  celebrities?: CelebritiesResult;
}

/** The half of DetectLabelsAndText that failed while the other's result was kept. */
export interface LabelsAndTextPartFailure {
  operation: 'DetectLabels' | 'DetectText';
  /** The error name the Catch would have seen, e.g. `Rekognition.AccessDeniedException`. */
  error: string;
  cause: string;
}

export interface LabelsAndTextBranchResult extends BranchOutcome<'labelsAndText'> {
  labels?: Label[];
  text?: TextLine[];
  rawRefs?: { labels?: string; text?: string };
  /** Present when IMAGE_PROPERTIES was asked for and DetectLabels succeeded. */
  colors?: DominantColor[];
  imageQuality?: ImageQuality;
  /** Status SUCCEEDED with one half failed (permanently, not about the image): StoreResult makes the item PARTIAL. */
  failedPart?: LabelsAndTextPartFailure;
}

export interface ModerationBranchResult extends BranchOutcome<'moderation'> {
  labels?: ModerationLabel[];
  verdict?: Exclude<ModerationVerdict, 'unavailable'>;
  rawRef?: string;
}

export type BranchResult = ThumbnailsBranchResult | FacesBranchResult | LabelsAndTextBranchResult | ModerationBranchResult;

/** Input of StoreResult. `branches` is the Parallel state's output, in branch order. */
export interface StoreResultInput {
  image: ImageRef;
  validation: ValidationResult;
  branches: BranchResult[];
  executionId: string;
  startedAt: string;
  /** The EventBridge event that started the execution, carried for the dead-letter message. */
  event: S3ObjectCreatedEvent;
}

/** A failure on its way to the dead-letter queue: everything needed to understand and replay it. */
export interface DeadLetterMessage {
  imageId?: string;
  bucket?: string;
  key?: string;
  status: 'FAILED' | 'PARTIAL';
  /** Human-readable summary, also the Fail state's cause. */
  reason: string;
  failures: { state: string; error: string; cause: string }[];
  executionId: string;
  failedAt: string;
  /** The EventBridge event that started the execution: send it to StartExecution to replay. */
  originalEvent: S3ObjectCreatedEvent;
}

/** Output of StoreResult and RecordFailure (stored at `$.result`). */
export interface RecordedResult {
  imageId?: string;
  /** SUPERSEDED: a newer version of the object owns the item, so this result was not stored. */
  status: Exclude<ImageStatus, 'PROCESSING'> | 'SUPERSEDED';
  reason: string;
  /** Present when the image did not fully succeed: the body sent to the dead-letter queue. */
  deadLetter?: DeadLetterMessage;
}

/** Input of RecordFailure: the working document plus the error a Catch put under `failedStates`. */
export interface RecordFailureInput {
  event: S3ObjectCreatedEvent;
  executionId: string;
  startedAt: string;
  claim?: ClaimResult;
  validation?: ValidationResult;
  /** `{ [stateName]: { Error, Cause } }`: each Catch writes under the name of the state that failed. */
  failedStates: Record<string, { Error: string; Cause?: string }>;
}

export type ImageStatus = 'PROCESSING' | 'SUCCEEDED' | 'PARTIAL' | 'FAILED';

export interface BranchSummary {
  status: BranchStatus;
  durationMs?: number;
  error?: string;
  cause?: string;
}

/** The one DynamoDB item per image. Partition key `imageId`; sparse GSI `byStatus` on (listedStatus, updatedAt). */
export interface ImageItem {
  imageId: string;
  bucket: string;
  key: string;
  versionId?: string;
  etag: string;
  sequencer: string;
  /** `sequencer` normalized (tasks/shared/sequencer.ts) so DynamoDB conditions can compare it with `<` and `=`. */
  sequencerKey: string;
  /** Byte size of the upload. */
  size: number;
  format?: ImageFormat;
  width?: number;
  height?: number;
  status: ImageStatus;
  /** `status` when the byStatus index lists it (FAILED, PARTIAL), absent otherwise (tasks/shared/image-table.ts). */
  listedStatus?: 'FAILED' | 'PARTIAL';
  /** When the upload was made (its S3 event's time): the sort key of the query indexes (tasks/shared/image-indexes.ts). */
  uploadedAt?: string;
  /** `status#shard`: the item's partition in the byStatusTime index. */
  statusKey?: string;
  /** `verdict#shard`: the item's partition in byVerdictTime, once moderation has a verdict. */
  verdictKey?: string;
  /** Label names that may have a label entry (tasks/shared/label-index.ts); survives claims so stale entries are found. */
  labelIndex?: Set<string>;
  statusReason?: string;
  branches?: Record<BranchName, BranchSummary>;
  thumbnails?: Thumbnail[];
  faces?: Face[];
  faceCount?: number;
  /** Named people recognised on the faces. */
  people?: RecognisedPerson[];
  /** Present when the `celebrities` setting is on. */
  celebrities?: CelebritiesResult;
  /** Every FaceId of this image that may be in the face collection; survives claims so old faces are found and deleted. */
  faceIndex?: Set<string>;
  /** The faces' ExternalImageId in the collection (tasks/shared/faces.ts). */
  externalImageId?: string;
  labels?: Label[];
  /** Dominant colours, largest share first (at most 5; DetectLabels IMAGE_PROPERTIES). */
  colors?: DominantColor[];
  imageQuality?: ImageQuality;
  text?: TextLine[];
  moderation?: { verdict: ModerationVerdict; labels: ModerationLabel[] };
  /** What a library grid shows (tasks/shared/image-card.ts); projected into the query indexes. */
  card?: ImageCard;
  /** s3:// URIs of the full, unabridged analysis responses. */
  rawResults?: { faces?: string; labels?: string; text?: string; moderation?: string };
  /** The object the analyses read, when it differs from the upload (a normalized JPEG). */
  analysisObject?: S3Location;
  failure?: { state: string; error: string; cause: string };
  /** Which analyzer produced the results, e.g. `amazon-rekognition`. */
  analyzer: string;
  executionId: string;
  createdAt: string;
  updatedAt: string;
  startedAt: string;
  completedAt?: string;
}

/**
 * The EventBridge event Step Functions sends when an execution's status changes (source `aws.states`),
 * as the execution-status net receives it for FAILED, TIMED_OUT and ABORTED executions.
 * https://docs.aws.amazon.com/step-functions/latest/dg/cw-events.html
 */
export interface ExecutionStatusChangeEvent {
  version: string;
  id: string;
  'detail-type': 'Step Functions Execution Status Change';
  source: 'aws.states';
  account: string;
  time: string;
  region: string;
  /** The execution's ARN. */
  resources: string[];
  detail: {
    executionArn: string;
    stateMachineArn: string;
    name: string;
    status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE';
    /** Milliseconds since the epoch. */
    startDate: number;
    stopDate: number | null;
    /** The execution's input as a JSON string; absent or empty when too large to include. */
    input: string | null;
    /** `included: false` when the input was left out of the event (too large): DescribeExecution has it. */
    inputDetails?: { included: boolean } | null;
    output: string | null;
    outputDetails?: { included: boolean } | null;
    error: string | null;
    cause: string | null;
    redriveCount?: number;
  };
}
