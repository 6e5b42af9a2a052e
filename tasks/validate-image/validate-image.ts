/** ValidateImage's work: fetch, identify, bomb-check, decode, and write a JPEG copy when Rekognition cannot read the upload as is. */
import type { TaskDeps } from '../shared/aws-clients';
import { ImageValidationError } from '../shared/errors';
import { normalizedKey, putImage } from '../shared/s3-objects';
import type { ImageRef, ValidationResult } from '../shared/types';
import { renderAnalysisJpeg, verifyDecodes } from './decode-image';
import { fetchUpload } from './fetch-upload';
import { describeContent, detectFormat } from './image-format';
import { readHeader } from './image-header';
import { planNormalization } from './normalization-plan';

const SUPPORTED = 'JPEG, PNG, GIF, WebP, TIFF, AVIF or HEIF';

export async function validateImage(event: ImageRef, { config, clients }: TaskDeps): Promise<ValidationResult> {
  // From here on `image` is the object actually read (see fetchUpload): later states get it back.
  const { buffer, image } = await fetchUpload(clients.s3, event, config.maxImageBytes);

  // The bytes decide, never the extension or Content-Type: both are whatever the uploader said.
  const format = detectFormat(buffer);
  if (!format) {
    throw new ImageValidationError('UNSUPPORTED_FORMAT', `the file looks like ${describeContent(buffer)}, not a ${SUPPORTED} image`);
  }

  // Header before pixels: a decompression bomb is rejected without being decoded.
  const header = await readHeader(buffer, format, config.maxImagePixels);
  const plan = planNormalization({ format, bytes: buffer.length, ...header });
  const result = { format, width: header.displayWidth, height: header.displayHeight, bytes: buffer.length, image };

  if (!plan.normalize) {
    await verifyDecodes(buffer, format, header, config.maxImagePixels);
    return { ...result, analysisObject: { bucket: image.bucket, key: image.key }, normalized: false };
  }

  const jpeg = await renderAnalysisJpeg(buffer, format, header, plan, config.maxImagePixels);
  const analysisObject = { bucket: image.bucket, key: normalizedKey(image, config) };
  await putImage(clients.s3, analysisObject, jpeg.data, 'image/jpeg');
  return { ...result, analysisObject, normalized: true, normalizedReason: plan.reasons.join('; ') };
}
