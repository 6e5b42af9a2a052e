/**
 * Each operation's Rekognition response built from the shared per-image analyses (image-analyses.ts).
 * DetectLabels also waits for the faces and the text of the image, so its image-level labels (Person,
 * Text, Document) do not depend on which call came first; in the pipeline those analyses are the ones
 * DetectFaces and DetectText run anyway.
 */
import type { ImageAnalyses } from './image-analyses';
import { limitDominantColors } from './image-properties';
import type { OperationName } from './operation-names';
import { buildDetectFacesResponse, parseDetectFacesParams, type DetectFacesParams } from './operations/detect-faces';
import { buildDetectLabelsResponse, type DetectLabelsParams } from './operations/detect-labels';
import { buildDetectModerationLabelsResponse, type DetectModerationLabelsParams } from './operations/detect-moderation-labels';
import { buildDetectTextResponse, parseDetectTextParams, type DetectTextParams } from './operations/detect-text';
import { provenImageLabels, withImageLevelLabels } from './operations/image-level-labels';

export async function respondFromAnalyses(analyses: ImageAnalyses, op: OperationName, bytes: Buffer, params: unknown): Promise<unknown> {
  switch (op) {
    case 'DetectFaces': {
      const { faces, width, height } = await analyses.get(bytes, 'faces');
      return buildDetectFacesResponse(faces, params as DetectFacesParams, width, height);
    }
    case 'DetectLabels':
      return detectLabels(analyses, bytes, params as DetectLabelsParams);
    case 'DetectModerationLabels':
      return buildDetectModerationLabelsResponse(await analyses.get(bytes, 'moderation'), params as DetectModerationLabelsParams);
    case 'DetectText':
      return buildDetectTextResponse((await analyses.get(bytes, 'text')).lines, params as DetectTextParams);
  }
}

async function detectLabels(analyses: ImageAnalyses, bytes: Buffer, params: DetectLabelsParams): Promise<unknown> {
  if (!params.generalLabels) {
    const { properties } = await analyses.get(bytes, 'objects');
    return buildDetectLabelsResponse([], params, limitDominantColors(properties, params.maxDominantColors));
  }
  const [objects, faces, text] = await Promise.all([
    analyses.get(bytes, 'objects'),
    analyses.get(bytes, 'faces'),
    analyses.get(bytes, 'text'),
  ]);
  const properties = limitDominantColors(objects.properties, params.maxDominantColors);
  const response = buildDetectLabelsResponse(objects.objects, params, properties);
  // What DetectFaces and DetectText would answer with their default parameters.
  const proven = provenImageLabels(
    buildDetectFacesResponse(faces.faces, parseDetectFacesParams({}), faces.width, faces.height),
    buildDetectTextResponse(text.lines, parseDetectTextParams({})),
  );
  return withImageLevelLabels(response, proven, params);
}
