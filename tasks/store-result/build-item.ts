/** Merges the four branch results into the image's item, its status and a readable reason (pure). */
import { describeFailure, failureText, MAX_REASON_CHARS, truncate, type FailureEntry } from '../../dead-letters/build';
import { imageCard } from '../shared/image-card';
import { statusKey, verdictKey } from '../shared/image-indexes';
import { imageIdentity, statusIndexValue } from '../shared/image-table';
import type {
  BranchName,
  BranchResult,
  BranchSummary,
  FacesBranchResult,
  ImageItem,
  LabelsAndTextBranchResult,
  ModerationBranchResult,
  StoreResultInput,
  ThumbnailsBranchResult,
} from '../shared/types';

/** The Task state behind each branch: a dead letter names the state, as the execution history does. */
export const STATE_OF_BRANCH: Record<BranchName, string> = {
  thumbnails: 'CreateThumbnails',
  faces: 'DetectFaces',
  labelsAndText: 'DetectLabelsAndText',
  moderation: 'DetectModerationLabels',
};
export const BRANCH_ORDER: readonly BranchName[] = ['thumbnails', 'faces', 'labelsAndText', 'moderation'];

/** Each failure's cause is cut shorter inside the reason, so four failures still fit its 1000 characters. */
const MAX_CAUSE_IN_REASON = 200;

export interface BuiltItem {
  item: ImageItem;
  status: 'SUCCEEDED' | 'PARTIAL' | 'FAILED';
  reason: string;
  /** One per FAILED branch, named by its state. */
  failures: FailureEntry[];
}

export function buildItem(input: StoreResultInput, options: { analyzerName: string; now: Date }): BuiltItem {
  const now = options.now.toISOString();
  const results = new Map(BRANCH_ORDER.map((name) => [name, findBranch(input.branches, name)] as const));
  const thumbnails = succeeded(results.get('thumbnails')) as ThumbnailsBranchResult | undefined;
  const faces = succeeded(results.get('faces')) as FacesBranchResult | undefined;
  const labelsAndText = succeeded(results.get('labelsAndText')) as LabelsAndTextBranchResult | undefined;
  const moderation = succeeded(results.get('moderation')) as ModerationBranchResult | undefined;

  const failures = BRANCH_ORDER.flatMap((name) => {
    const result = results.get(name)!;
    if (result.status === 'FAILED') return [describeFailure(STATE_OF_BRANCH[name], result.failure)];
    const part = halfFailure(result);
    return part ? [part] : [];
  });
  const anySucceeded = BRANCH_ORDER.some((name) => results.get(name)!.status === 'SUCCEEDED');
  // FAILED when nothing that ran worked (all four failed, or the only ones that ran failed).
  const status = failures.length === 0 ? 'SUCCEEDED' : anySucceeded ? 'PARTIAL' : 'FAILED';

  // A moderation that did not run (skipped, failed, missing verdict) must never read as "safe".
  const verdict = moderation?.verdict ?? 'unavailable';
  const rawResults = compact({
    faces: faces?.rawRef,
    labels: labelsAndText?.rawRefs?.labels,
    text: labelsAndText?.rawRefs?.text,
    moderation: moderation?.rawRef,
  });
  const faceCount = faces ? (faces.faceCount ?? faces.faces?.length ?? 0) : undefined;
  const kept = summary({ thumbnails, faces, faceCount, labelsAndText, verdict, moderationRan: results.get('moderation')!.status });
  const reason = truncate(
    status === 'SUCCEEDED'
      ? `SUCCEEDED: ${kept}`
      : `${status}: ${failures.map((f) => failureText({ ...f, cause: truncate(f.cause, MAX_CAUSE_IN_REASON) })).join('; ')}${
          status === 'PARTIAL' ? `; kept ${kept}` : ''
        }`,
    MAX_REASON_CHARS,
  );

  const item: ImageItem = compact({
    imageId: input.image.imageId,
    ...imageIdentity(input.image),
    format: input.validation?.format,
    width: input.validation?.width,
    height: input.validation?.height,
    status,
    // Only FAILED and PARTIAL join the sparse byStatus index; a SUCCEEDED store removes it (a replay that worked).
    listedStatus: statusIndexValue(status),
    statusKey: statusKey(input.image.imageId, status),
    verdictKey: verdictKey(input.image.imageId, verdict),
    statusReason: reason,
    branches: Object.fromEntries(BRANCH_ORDER.map((name) => [name, branchSummary(results.get(name)!)])) as Record<
      BranchName,
      BranchSummary
    >,
    thumbnails: thumbnails?.thumbnails,
    faces: faces?.faces,
    faceCount,
    people: faces?.people,
    celebrities: faces?.celebrities,
    externalImageId: faces?.externalImageId,
    labels: labelsAndText?.labels,
    colors: labelsAndText?.colors,
    imageQuality: labelsAndText?.imageQuality,
    text: labelsAndText?.text,
    moderation: { verdict, labels: moderation?.labels ?? [] },
    card: imageCard({ faceCount, labels: labelsAndText?.labels, moderation: { verdict, labels: [] }, thumbnails: thumbnails?.thumbnails }),
    rawResults: Object.keys(rawResults).length > 0 ? rawResults : undefined,
    // Only when the analyses read a JPEG copy: otherwise the upload itself is the analysed object.
    analysisObject: input.validation?.normalized ? input.validation.analysisObject : undefined,
    failure: status === 'FAILED' ? failures[0] : undefined,
    analyzer: options.analyzerName,
    executionId: input.executionId,
    createdAt: now,
    updatedAt: now,
    startedAt: input.startedAt,
    completedAt: now,
  });
  return { item, status, reason, failures };
}

/** A branch's result by name; a missing one counts as FAILED rather than silently as nothing found. */
function findBranch(branches: BranchResult[] | undefined, name: BranchName): BranchResult {
  const found = (Array.isArray(branches) ? branches : []).find((b) => b?.branch === name);
  return (
    found ?? {
      branch: name,
      status: 'FAILED',
      failure: { Error: 'MissingBranchResult', Cause: `the AnalyzeImage state returned no result for the ${name} branch` },
    }
  );
}

/**
 * DetectLabelsAndText kept one half and lost the other: a failure of the item (PARTIAL, dead-lettered
 * for replay) although the branch succeeded. The state names the operation: `DetectLabelsAndText (DetectText)`.
 */
function halfFailure(result: BranchResult): FailureEntry | undefined {
  if (result.branch !== 'labelsAndText' || result.status !== 'SUCCEEDED' || !result.failedPart) return undefined;
  const { operation, error, cause } = result.failedPart;
  return describeFailure(`${STATE_OF_BRANCH.labelsAndText} (${operation})`, { Error: error, Cause: cause });
}

function succeeded(result: BranchResult | undefined): BranchResult | undefined {
  return result?.status === 'SUCCEEDED' ? result : undefined;
}

function branchSummary(result: BranchResult): BranchSummary {
  const part = halfFailure(result);
  // The lost half shows on the branch, its status still SUCCEEDED: the other half's results are on the item.
  if (part && result.branch === 'labelsAndText') {
    return {
      status: result.status,
      durationMs: result.durationMs,
      error: `${result.failedPart?.operation}: ${part.error}`,
      cause: part.cause,
    };
  }
  if (result.status !== 'FAILED') return compact({ status: result.status, durationMs: result.durationMs });
  const failure = describeFailure(STATE_OF_BRANCH[result.branch], result.failure);
  return compact({ status: result.status, durationMs: result.durationMs, error: failure.error, cause: failure.cause });
}

/** "2 thumbnails, 1 face (HAPPY), 12 labels, 3 text lines, moderation safe". */
function summary(parts: {
  thumbnails?: ThumbnailsBranchResult;
  faces?: FacesBranchResult;
  faceCount?: number;
  labelsAndText?: LabelsAndTextBranchResult;
  verdict: string;
  moderationRan: string;
}): string {
  const pieces: string[] = [];
  if (parts.thumbnails) pieces.push(count(parts.thumbnails.thumbnails?.length ?? 0, 'thumbnail'));
  if (parts.faces && parts.faceCount !== undefined) {
    const emotions = [...new Set((parts.faces.faces ?? []).map((f) => f.dominantEmotion).filter(Boolean))];
    const shown = emotions.length > 3 ? [...emotions.slice(0, 3), '...'] : emotions;
    pieces.push(
      parts.faceCount === 0 ? 'no faces' : `${count(parts.faceCount, 'face')}${shown.length > 0 ? ` (${shown.join(', ')})` : ''}`,
    );
  }
  if (parts.labelsAndText?.labels) pieces.push(count(parts.labelsAndText.labels.length, 'label'));
  if (parts.labelsAndText?.text) pieces.push(count(parts.labelsAndText.text.length, 'text line'));
  const why =
    parts.verdict === 'unavailable'
      ? parts.moderationRan === 'SKIPPED'
        ? ' (not run)'
        : parts.moderationRan === 'FAILED'
          ? ' (failed)'
          : ''
      : '';
  pieces.push(`moderation ${parts.verdict}${why}`);
  return pieces.join(', ');
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** Drops undefined fields, so the item holds no attribute that says nothing. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
