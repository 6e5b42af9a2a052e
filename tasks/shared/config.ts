/**
 * The tasks' configuration: the values of the settings table (settings.ts). A Lambda handler loads
 * it from its environment (set by the CDK app from the same table); the local runtime builds it once
 * per stack and passes it to the tasks' core functions: a task never reads the environment itself.
 */
import { readSettings, settingEntries, type Analysis, type SettingName, type SettingValue } from './settings';
import type { BranchName } from './types';

export { ALL_ANALYSES, parseAnalyses, parseThumbnailSizes, type Analysis, type ThumbnailSpec } from './settings';

/** What a task is configured with: one field per row of SETTINGS (tasks/shared/settings.ts), parsed. */
export type PicflowConfig = { [K in SettingName]: SettingValue<K> };

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

/** The tasks' configuration from environment variables (a Lambda function's, or any map of them). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): PicflowConfig {
  const { values, problems } = readSettings(
    settingEntries().map(([name]) => name),
    (setting) => env[setting.env],
    (setting) => setting.env,
  );
  if (problems.length > 0) throw new ConfigError(problems.join('; '));
  return values as PicflowConfig;
}

/** Which analyses feed each branch: a branch whose analyses are all off reports SKIPPED. */
export const BRANCH_ANALYSES: Record<Exclude<BranchName, 'thumbnails'>, Analysis[]> = {
  faces: ['faces'],
  labelsAndText: ['labels', 'text'],
  moderation: ['moderation'],
};
