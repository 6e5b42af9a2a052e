/** ValidateImage task: `{ image, executionId, state }` in, ValidationResult out (stored at `$.validation`). */
import { lambdaDeps, type TaskDeps } from '../shared/aws-clients';
import { invocationLogger } from '../shared/logger';
import type { ValidationInput, ValidationResult } from '../shared/types';
import { validateImage } from './validate-image';

/** The task, given its configuration and clients (the local runtime calls it with its own). */
export async function run(event: ValidationInput, deps: TaskDeps): Promise<ValidationResult> {
  const log = invocationLogger({
    imageId: event.image.imageId,
    key: event.image.key,
    executionId: event.executionId,
    state: event.state ?? 'ValidateImage',
  });
  const result = await validateImage(event.image, deps);
  log.info('Image validated', { validation: result });
  return result;
}

/** Lambda entry point: configuration and clients from the function's environment. */
export const handler = (event: ValidationInput): Promise<ValidationResult> => run(event, lambdaDeps());
