/**
 * Image-level labels the other analyses prove: "Person" when DetectFaces finds a face, "Text" (and
 * "Document" for a page of lines) when DetectText reads lines, added to a DetectLabels response with
 * Rekognition's names, parents, aliases and categories, under the request's filters and limits.
 */
import type { DetectFacesResponse, DetectLabelsResponse, DetectTextResponse, Label } from '@aws-sdk/client-rekognition';
import { labelPassesFilters, type DetectLabelsParams } from './detect-labels';
import { COCO_TO_LABEL } from './label-taxonomy';
import { pct } from './request-params';

interface ImageLabel {
  name: string;
  confidence: number;
  parents: string[];
  aliases: string[];
  categories: string[];
}

/** Lines from which a text is a document (a page, a receipt, a screenshot) rather than a sign or caption. */
export const DOCUMENT_MIN_LINES = 3;

const TEXT_CATEGORY = 'Text and Documents';

/** The labels the faces and text found in the image prove (DetectFaces and DetectText responses, default parameters). */
export function provenImageLabels(faces: DetectFacesResponse, text: DetectTextResponse): ImageLabel[] {
  const labels: ImageLabel[] = [];
  const faceConfidences = (faces.FaceDetails ?? []).map((f) => f.Confidence ?? 0);
  if (faceConfidences.length > 0) {
    const person = COCO_TO_LABEL.person;
    labels.push({
      name: person.name,
      confidence: Math.max(...faceConfidences),
      parents: [],
      aliases: person.aliases ?? [],
      categories: person.categories,
    });
  }
  const lines = (text.TextDetections ?? []).filter((d) => d.Type === 'LINE');
  if (lines.length > 0) {
    const confidence = lines.reduce((s, l) => s + (l.Confidence ?? 0), 0) / lines.length;
    labels.push({ name: 'Text', confidence, parents: [], aliases: [], categories: [TEXT_CATEGORY] });
    if (lines.length >= DOCUMENT_MIN_LINES) {
      labels.push({ name: 'Document', confidence, parents: ['Text'], aliases: [], categories: [TEXT_CATEGORY] });
    }
  }
  return labels;
}

/**
 * The response with the proven labels added where the objects did not already name them (an object label
 * of the same name keeps its instances and confidence), then filtered, sorted and cut as DetectLabels does.
 */
export function withImageLevelLabels(
  response: DetectLabelsResponse,
  proven: ImageLabel[],
  params: DetectLabelsParams,
): DetectLabelsResponse {
  if (!response.Labels) return response;
  const present = new Set(response.Labels.map((l) => l.Name));
  const added: Label[] = proven
    .filter((l) => !present.has(l.name) && l.confidence >= params.minConfidence && labelPassesFilters(l.name, l.categories, params))
    .map((l) => ({
      Name: l.name,
      Confidence: pct(l.confidence),
      Instances: [],
      Parents: l.parents.map((Name) => ({ Name })),
      Aliases: l.aliases.map((Name) => ({ Name })),
      Categories: l.categories.map((Name) => ({ Name })),
    }));
  if (added.length === 0) return response;
  const labels = [...response.Labels, ...added]
    .sort((a, b) => (b.Confidence ?? 0) - (a.Confidence ?? 0) || (a.Name ?? '').localeCompare(b.Name ?? ''))
    .slice(0, params.maxLabels);
  return { ...response, Labels: labels };
}
