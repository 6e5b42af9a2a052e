/** CreateThumbnails' work: read the analysis object once, render every configured size, write them as JPEGs. */
import type { TaskDeps } from '../shared/aws-clients';
import { pinFor, putImage, readObject, thumbnailKey } from '../shared/s3-objects';
import type { AnalysisInput, Thumbnail, ThumbnailsBranchResult } from '../shared/types';
import { renderThumbnail, thumbnailSource } from './render-thumbnail';

export async function createThumbnails(input: AnalysisInput, { config, clients }: TaskDeps): Promise<ThumbnailsBranchResult> {
  const start = performance.now();
  const { image, validation } = input;
  // The analysis object is one ValidateImage decoded (or made): a JPEG/PNG at most 4096 px on its
  // long edge. When it is the upload itself, reading is pinned to the event's version.
  const buffer = await readObject(clients.s3, validation.analysisObject, {
    maxBytes: config.maxImageBytes,
    pin: pinFor(validation.analysisObject, image),
  });
  const source = thumbnailSource(buffer, config.maxImagePixels);

  const thumbnails = await Promise.all(
    config.thumbnails.map(async (spec): Promise<Thumbnail> => {
      const rendered = await renderThumbnail(source, spec);
      const key = thumbnailKey(image, spec.name, config);
      await putImage(clients.s3, { bucket: image.bucket, key }, rendered.data, 'image/jpeg');
      return { name: spec.name, key, width: rendered.width, height: rendered.height, fit: spec.fit, bytes: rendered.data.length };
    }),
  );
  return { branch: 'thumbnails', status: 'SUCCEEDED', durationMs: Math.round(performance.now() - start), thumbnails };
}
