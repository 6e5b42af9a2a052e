/** ValidateImage task: `{ image, executionId, state }` in, ValidationResult out (stored at `$.validation`). */
import { loadConfig } from '../shared/config';
import { invocationLogger } from '../shared/logger';
import type { ValidationInput, ValidationResult } from '../shared/types';
import { validateImage } from './validate-image';

export async function handler(event: ValidationInput): Promise<ValidationResult> {
  const log = invocationLogger({ imageId: event.image.imageId, key: event.image.key, executionId: event.executionId, state: event.state ?? 'ValidateImage' });
  const result = await validateImage(event.image, loadConfig());
  log.info('Image validated', { validation: result });
  return result;
}
