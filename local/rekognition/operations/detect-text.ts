/**
 * DetectText: request parameters → Tesseract lines/words → Rekognition DetectTextResponse.
 * LINE entries come first (Id 0..n-1), then WORD entries with ParentId = their line's Id, like Rekognition.
 */
import type { DetectTextResponse, TextDetection } from '@aws-sdk/client-rekognition';
import type { OcrLine, OcrWord } from '../models/tesseract-ocr';
import { boundingBox, invalid, optionalNumber, optionalObject, pct, ratio } from './request-params';

export const TEXT_MODEL_VERSION = '3.0';

/** Rekognition DetectText returns at most 100 words an image. */
export const MAX_WORDS = 100;

/**
 * Tesseract reports a confidence for everything it sees, including noise on photo edges ("Ee", "fe");
 * words below this are dropped (Rekognition simply does not report such text). A WordFilter.MinConfidence
 * in the request raises it further.
 */
export const DEFAULT_MIN_WORD_CONFIDENCE = 60;

/**
 * On photos without text Tesseract still "reads" textures as short tokens ("2?", "X", "gil") at 60-83 %.
 * A line is reported only if it has an anchor: a word of at least 3 letters/digits read at >= 80 %.
 * (Cost: a line made only of short tokens, such as a lone "7", is not reported.)
 */
export const MIN_ANCHOR_CONFIDENCE = 80;
const ANCHOR_MIN_CHARS = 3;

function isAnchor(w: OcrWord): boolean {
  return w.confidence >= MIN_ANCHOR_CONFIDENCE && (w.text.match(/[\p{L}\p{N}]/gu)?.length ?? 0) >= ANCHOR_MIN_CHARS;
}

type Box = [number, number, number, number];

export interface DetectTextParams {
  minConfidence: number;
  minBoxHeight: number;
  minBoxWidth: number;
  regions: Box[];
}

export function parseDetectTextParams(body: Record<string, unknown>): DetectTextParams {
  const filters = optionalObject(body.Filters, 'Filters');
  const wordFilter = optionalObject(filters?.WordFilter, 'Filters.WordFilter') ?? {};
  const rois = filters?.RegionsOfInterest;
  if (rois !== undefined && !Array.isArray(rois)) throw invalid('Filters.RegionsOfInterest must be a list');
  const regions: Box[] = [];
  for (const roi of (rois as unknown[] | undefined) ?? []) {
    const r = optionalObject(roi, 'RegionOfInterest') ?? {};
    const bb = optionalObject(r.BoundingBox, 'RegionOfInterest.BoundingBox');
    const poly = r.Polygon;
    if (bb) {
      const n = (k: string): number => optionalNumber(bb, k, 0, 1, 0);
      regions.push([n('Left'), n('Top'), n('Width'), n('Height')]);
    } else if (Array.isArray(poly) && poly.length >= 3) {
      const xs = poly.map((p) => Number((p as { X?: unknown }).X));
      const ys = poly.map((p) => Number((p as { Y?: unknown }).Y));
      if ([...xs, ...ys].some((v) => !Number.isFinite(v))) throw invalid('RegionOfInterest.Polygon points need X and Y');
      regions.push([Math.min(...xs), Math.min(...ys), Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys)]);
    } else {
      throw invalid('RegionOfInterest needs a BoundingBox or a Polygon');
    }
  }
  return {
    minConfidence: Math.max(DEFAULT_MIN_WORD_CONFIDENCE, optionalNumber(wordFilter, 'MinConfidence', 0, 100, 0)),
    minBoxHeight: optionalNumber(wordFilter, 'MinBoundingBoxHeight', 0, 1, 0),
    minBoxWidth: optionalNumber(wordFilter, 'MinBoundingBoxWidth', 0, 1, 0),
    regions,
  };
}

function overlapFraction(word: Box, region: Box): number {
  const x = Math.max(0, Math.min(word[0] + word[2], region[0] + region[2]) - Math.max(word[0], region[0]));
  const y = Math.max(0, Math.min(word[1] + word[3], region[1] + region[3]) - Math.max(word[1], region[1]));
  const area = word[2] * word[3];
  return area > 0 ? (x * y) / area : 0;
}

function geometry(box: Box): TextDetection['Geometry'] {
  const [l, t, w, h] = box;
  return {
    BoundingBox: boundingBox(box),
    Polygon: [
      { X: ratio(l), Y: ratio(t) },
      { X: ratio(l + w), Y: ratio(t) },
      { X: ratio(l + w), Y: ratio(t + h) },
      { X: ratio(l), Y: ratio(t + h) },
    ],
  };
}

/** The text of a word as Rekognition would print it: no surrounding whitespace, nothing if empty. */
function cleanWord(w: OcrWord): string {
  return w.text.replace(/\s+/g, ' ').trim();
}

export function buildDetectTextResponse(lines: OcrLine[], params: DetectTextParams): DetectTextResponse {
  const kept: { line: OcrLine; words: OcrWord[] }[] = [];
  let wordCount = 0;
  for (const line of lines) {
    if (wordCount >= MAX_WORDS) break;
    const words = line.words.filter(
      (w) =>
        cleanWord(w) !== '' &&
        /[\p{L}\p{N}]/u.test(w.text) &&
        w.confidence >= params.minConfidence &&
        w.box[3] >= params.minBoxHeight &&
        w.box[2] >= params.minBoxWidth &&
        (params.regions.length === 0 || params.regions.some((r) => overlapFraction(w.box, r) >= 0.5)),
    );
    if (!words.some(isAnchor)) continue;
    const room = MAX_WORDS - wordCount;
    const taken = words.slice(0, room);
    wordCount += taken.length;
    kept.push({ line, words: taken });
  }
  const detections: TextDetection[] = [];
  kept.forEach(({ words }, lineId) => {
    const left = Math.min(...words.map((w) => w.box[0]));
    const top = Math.min(...words.map((w) => w.box[1]));
    const right = Math.max(...words.map((w) => w.box[0] + w.box[2]));
    const bottom = Math.max(...words.map((w) => w.box[1] + w.box[3]));
    detections.push({
      DetectedText: words.map(cleanWord).join(' '),
      Type: 'LINE',
      Id: lineId,
      Confidence: pct(words.reduce((s, w) => s + w.confidence, 0) / words.length),
      Geometry: geometry([left, top, right - left, bottom - top]),
    });
  });
  let id = kept.length;
  kept.forEach(({ words }, lineId) => {
    for (const w of words) {
      detections.push({
        DetectedText: cleanWord(w),
        Type: 'WORD',
        Id: id++,
        ParentId: lineId,
        Confidence: pct(w.confidence),
        Geometry: geometry(w.box),
      });
    }
  });
  return { TextDetections: detections, TextModelVersion: TEXT_MODEL_VERSION };
}
