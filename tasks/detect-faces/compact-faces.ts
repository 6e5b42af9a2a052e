/** Turns Rekognition FaceDetails into the compact Face records kept in the state and the item (pure). */
import type { FaceDetail } from '@aws-sdk/client-rekognition';
import { compactBox, round } from '../shared/rekognition';
import type { BooleanAttribute, Emotion, Face } from '../shared/types';

/**
 * Emotions kept per face: at most three, and none under 1%. Rekognition scores all eight on every
 * face, mostly near zero; each costs ~38 bytes times up to 100 faces, and all eight stay in the raw
 * response in S3.
 */
export const MAX_EMOTIONS = 3;
export const MIN_EMOTION_CONFIDENCE = 1;

/**
 * Serialized size the compact faces may take. The whole execution state (four branches' results,
 * validation, event) must fit Step Functions' 256 KB. 100 typical faces (one strong emotion each) take
 * about 45 KB and even 100 faces with three strong emotions fit (about 54 KB); a FaceId adds 48 bytes a
 * face (about 5 KB for 100), so this only bites on unexpected input.
 */
export const FACES_BUDGET_BYTES = 62_000;

export function compactFace(detail: FaceDetail, faceId?: string): Face {
  const emotions: Emotion[] = (detail.Emotions ?? [])
    .filter((e) => e.Type !== undefined)
    .map((e) => ({ type: String(e.Type), confidence: round(e.Confidence) }))
    .filter((e) => e.confidence >= MIN_EMOTION_CONFIDENCE)
    .sort((a, b) => b.confidence - a.confidence)
    .slice(0, MAX_EMOTIONS);
  const face: Face = {
    box: compactBox(detail.BoundingBox),
    faceId,
    confidence: round(detail.Confidence),
    emotions,
    dominantEmotion: emotions[0]?.type,
    ageRange:
      detail.AgeRange?.Low !== undefined && detail.AgeRange.High !== undefined
        ? { low: detail.AgeRange.Low, high: detail.AgeRange.High }
        : undefined,
    gender: detail.Gender?.Value !== undefined ? { value: detail.Gender.Value, confidence: round(detail.Gender.Confidence) } : undefined,
    smile: booleanAttribute(detail.Smile),
    eyesOpen: booleanAttribute(detail.EyesOpen),
    mouthOpen: booleanAttribute(detail.MouthOpen),
    eyeglasses: booleanAttribute(detail.Eyeglasses),
    sunglasses: booleanAttribute(detail.Sunglasses),
  };
  // Absent attributes are left out, not stored as undefined (DynamoDB and JSON would drop them anyway).
  for (const key of Object.keys(face) as (keyof Face)[]) if (face[key] === undefined) delete face[key];
  return face;
}

/**
 * All faces, compacted, in Rekognition's order. Should they still exceed the budget, the largest faces
 * (the ones a viewer notices) are kept and `faceCount` still tells how many were found.
 */
export function compactFaces(
  details: FaceDetail[],
  budgetBytes = FACES_BUDGET_BYTES,
  faceIds: readonly (string | undefined)[] = [],
): { faces: Face[]; faceCount: number } {
  const faces = details.map((detail, i) => compactFace(detail, faceIds[i]));
  if (JSON.stringify(faces).length <= budgetBytes) return { faces, faceCount: details.length };

  const bySize = faces.map((face, index) => ({ face, index, area: face.box.width * face.box.height })).sort((a, b) => b.area - a.area);
  const kept: typeof bySize = [];
  let bytes = 2; // the brackets
  for (const entry of bySize) {
    const size = JSON.stringify(entry.face).length + (kept.length > 0 ? 1 : 0); // and a comma
    if (bytes + size > budgetBytes) break;
    kept.push(entry);
    bytes += size;
  }
  return { faces: kept.sort((a, b) => a.index - b.index).map((e) => e.face), faceCount: details.length };
}

function booleanAttribute(attribute: { Value?: boolean; Confidence?: number } | undefined): BooleanAttribute | undefined {
  if (attribute?.Value === undefined) return undefined;
  return { value: attribute.Value, confidence: round(attribute.Confidence) };
}
