/** ValidateImage task: `{ image }` in, ValidationResult out (stored at `$.validation`). */
import { loadConfig } from '../shared/config';
import { logContext, logger } from '../shared/logger';
import type { ImageRef, ValidationResult } from '../shared/types';
import { validateImage } from './validate-image';

export async function handler(event: { image: ImageRef }): Promise<ValidationResult> {
  logContext({ imageId: event.image.imageId, key: event.image.key, state: 'ValidateImage' });
  const result = await validateImage(event.image, loadConfig());
  logger.info('Image validated', { validation: result });
  return result;
}
