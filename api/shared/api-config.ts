/** The API's own settings beside the tasks' (tasks/shared/config.ts): the bucket uploads go to. */
import { ConfigError } from '../../tasks/shared/config';

/** Env `BUCKET_NAME` (required): the bucket the pipeline watches. */
export function apiBucket(env: NodeJS.ProcessEnv = process.env): string {
  const bucket = env.BUCKET_NAME;
  if (!bucket) throw new ConfigError('BUCKET_NAME is not set');
  return bucket;
}

/** Presigned GET URLs live this long: long enough to show a page, short enough that a leaked link soon dies. */
export const DOWNLOAD_EXPIRES_SECONDS = 5 * 60;
