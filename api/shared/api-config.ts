/** The API's own settings beside the tasks' (tasks/shared/config.ts): the bucket uploads go to. */
import type { TaskDeps } from '../../tasks/shared/aws-clients';
import { ConfigError } from '../../tasks/shared/config';

/** What the API's handlers are given: the tasks' configuration and clients, and (locally) the bucket. */
export type ApiDeps = TaskDeps & {
  /** The local runtime names its stack's bucket here: another stack may share the process, so not the environment. */
  readonly bucket?: string;
};

/** The bucket the pipeline watches: `deps.bucket`, else env `BUCKET_NAME` (Lambda; required then). */
export function apiBucket(deps: { bucket?: string } = {}, env: NodeJS.ProcessEnv = process.env): string {
  const bucket = deps.bucket ?? env.BUCKET_NAME;
  if (!bucket) throw new ConfigError('BUCKET_NAME is not set');
  return bucket;
}

/** Presigned GET URLs live this long: long enough to show a page, short enough that a leaked link soon dies. */
export const DOWNLOAD_EXPIRES_SECONDS = 5 * 60;
