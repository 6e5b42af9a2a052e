/**
 * Task configuration, read from environment variables. The CDK app sets them on each function and
 * the local runtime sets them on its process: a task never knows which of the two it runs in.
 * Read lazily (per call) so tests can change the environment between cases.
 */
import type { BranchName } from './types';

export type Analysis = 'faces' | 'labels' | 'text' | 'moderation';
export const ALL_ANALYSES: readonly Analysis[] = ['faces', 'labels', 'text', 'moderation'];

export interface ThumbnailSpec {
  name: string;
  width: number;
  height: number;
  fit: 'cover' | 'inside';
}

export interface PicflowConfig {
  /** DynamoDB table holding one item per image. Env `TABLE_NAME` (required). */
  tableName: string;
  /** Only keys under this prefix are processed. Env `UPLOAD_PREFIX`. @default 'uploads/' */
  uploadPrefix: string;
  /** Where thumbnails go. Env `THUMBNAIL_PREFIX`. @default 'thumbnails/' */
  thumbnailPrefix: string;
  /** Where JPEG copies made for Rekognition go. Env `NORMALIZED_PREFIX`. @default 'normalized/' */
  normalizedPrefix: string;
  /** Where full analysis responses go. Env `ANALYSIS_PREFIX`. @default 'analysis/' */
  analysisPrefix: string;
  /** Env `THUMBNAIL_SIZES`, e.g. `128x128:cover,512x512:inside`. @default '128x128:cover,512x512:inside' */
  thumbnails: ThumbnailSpec[];
  /** Env `ANALYSES`, comma-separated. @default 'faces,labels,text,moderation' */
  analyses: Analysis[];
  /** Uploads larger than this are rejected. Env `MAX_IMAGE_BYTES`. @default 52428800 (50 MiB) */
  maxImageBytes: number;
  /**
   * Images with more pixels than this are rejected as possible decompression bombs before they are
   * decoded. Env `MAX_IMAGE_PIXELS`. @default 100000000 (100 MP: a 12 MP phone photo passes 8 times over)
   */
  maxImagePixels: number;
  /** Env `MIN_LABEL_CONFIDENCE`. @default 70 */
  minLabelConfidence: number;
  /** Env `MAX_LABELS`. @default 25 */
  maxLabels: number;
  /** Env `MIN_TEXT_CONFIDENCE`. @default 80 */
  minTextConfidence: number;
  /** Env `MIN_MODERATION_CONFIDENCE`. @default 60 */
  minModerationConfidence: number;
  /**
   * A PROCESSING claim older than this may be taken over by a new execution. It is the definition's
   * TimeoutSeconds (2 h): by then the claiming execution can no longer be running, so a takeover
   * never races a live one. Env `CLAIM_TIMEOUT_SECONDS`. @default 7200
   */
  claimTimeoutSeconds: number;
  /** Name stored on each item as `analyzer`. Env `ANALYZER_NAME`. @default 'amazon-rekognition' */
  analyzerName: string;
  /**
   * SDK-level attempts for Rekognition calls. 1 leaves retrying to the state machine, where each
   * retry is visible in the execution's event history. Env `REKOGNITION_MAX_ATTEMPTS`. @default 1
   */
  rekognitionMaxAttempts: number;
  /** Env `S3_FORCE_PATH_STYLE` (`true` for S3-compatible servers on an IP address). @default false */
  s3ForcePathStyle: boolean;
  /**
   * The dead-letter queue, for the one function that sends to it itself (RecordFailedExecution; the
   * state machine's SendToDeadLetterQueue state has the URL in the definition). Env `DEAD_LETTER_QUEUE_URL`.
   */
  deadLetterQueueUrl?: string;
}

/** Rekognition's own limits (https://docs.aws.amazon.com/rekognition/latest/dg/limits.html). */
export const REKOGNITION_LIMITS = {
  /** Largest image Rekognition reads from S3. */
  maxS3ObjectBytes: 15 * 1024 * 1024,
  /** Rekognition reads JPEG and PNG only. */
  formats: ['jpeg', 'png'] as const,
  /** DetectFaces returns at most this many faces. */
  maxFaces: 100,
} as const;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): PicflowConfig {
  return {
    tableName: required(env, 'TABLE_NAME'),
    uploadPrefix: env.UPLOAD_PREFIX ?? 'uploads/',
    thumbnailPrefix: env.THUMBNAIL_PREFIX ?? 'thumbnails/',
    normalizedPrefix: env.NORMALIZED_PREFIX ?? 'normalized/',
    analysisPrefix: env.ANALYSIS_PREFIX ?? 'analysis/',
    thumbnails: parseThumbnailSizes(env.THUMBNAIL_SIZES ?? '128x128:cover,512x512:inside'),
    analyses: parseAnalyses(env.ANALYSES ?? ALL_ANALYSES.join(',')),
    maxImageBytes: positiveNumber(env, 'MAX_IMAGE_BYTES', 50 * 1024 * 1024),
    maxImagePixels: positiveNumber(env, 'MAX_IMAGE_PIXELS', 100_000_000),
    minLabelConfidence: percentage(env, 'MIN_LABEL_CONFIDENCE', 70),
    maxLabels: positiveNumber(env, 'MAX_LABELS', 25),
    minTextConfidence: percentage(env, 'MIN_TEXT_CONFIDENCE', 80),
    minModerationConfidence: percentage(env, 'MIN_MODERATION_CONFIDENCE', 60),
    claimTimeoutSeconds: positiveNumber(env, 'CLAIM_TIMEOUT_SECONDS', 7200),
    analyzerName: env.ANALYZER_NAME ?? 'amazon-rekognition',
    rekognitionMaxAttempts: positiveNumber(env, 'REKOGNITION_MAX_ATTEMPTS', 1),
    s3ForcePathStyle: env.S3_FORCE_PATH_STYLE === 'true',
    ...(env.DEAD_LETTER_QUEUE_URL ? { deadLetterQueueUrl: env.DEAD_LETTER_QUEUE_URL } : {}),
  };
}

/** Parses `128x128:cover,512x512:inside` into thumbnail specs named `cover-128x128`, `inside-512x512`. */
export function parseThumbnailSizes(spec: string): ThumbnailSpec[] {
  const sizes = spec
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const match = /^(\d+)x(\d+)(?::(cover|inside))?$/.exec(part);
      if (!match) {
        throw new ConfigError(`THUMBNAIL_SIZES: "${part}" is not WIDTHxHEIGHT[:cover|:inside], e.g. 128x128:cover`);
      }
      const [, w, h, fit = 'inside'] = match;
      const width = Number(w);
      const height = Number(h);
      if (width < 1 || height < 1 || width > 4096 || height > 4096) {
        throw new ConfigError(`THUMBNAIL_SIZES: "${part}" must be between 1 and 4096 pixels on each side`);
      }
      return { name: `${fit}-${width}x${height}`, width, height, fit: fit as ThumbnailSpec['fit'] };
    });
  if (sizes.length === 0) throw new ConfigError('THUMBNAIL_SIZES: give at least one size, e.g. 128x128:cover');
  return sizes;
}

export function parseAnalyses(spec: string): Analysis[] {
  const names = spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const name of names) {
    if (!ALL_ANALYSES.includes(name as Analysis)) {
      throw new ConfigError(`ANALYSES: "${name}" is not one of ${ALL_ANALYSES.join(', ')}`);
    }
  }
  return names as Analysis[];
}

/** Which analyses feed each branch: a branch whose analyses are all off reports SKIPPED. */
export const BRANCH_ANALYSES: Record<Exclude<BranchName, 'thumbnails'>, Analysis[]> = {
  faces: ['faces'],
  labelsAndText: ['labels', 'text'],
  moderation: ['moderation'],
};

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new ConfigError(`${name} is not set`);
  return value;
}

function positiveNumber(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new ConfigError(`${name}: "${raw}" is not a positive number`);
  return value;
}

function percentage(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = positiveNumber(env, name, fallback);
  if (value > 100) throw new ConfigError(`${name}: ${value} is not a percentage (0-100)`);
  return value;
}
