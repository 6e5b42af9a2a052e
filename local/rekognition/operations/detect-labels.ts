/**
 * DetectLabels: request parameters → CenterNet COCO objects → Rekognition DetectLabelsResponse.
 * Each detected object becomes a label with Instances (boxes); its ancestors (Animal, Mammal, Pet, ...)
 * become labels too, without Instances, as Rekognition does.
 */
import type { DetectLabelsImageProperties, DetectLabelsResponse, Label } from '@aws-sdk/client-rekognition';
import { DEFAULT_MAX_DOMINANT_COLORS, MAX_DOMINANT_COLORS } from '../image-properties';
import type { ObjectObservation } from '../models/centernet-objects';
import { ancestors, COCO_TO_LABEL } from './label-taxonomy';
import { thresholdShift } from './label-thresholds';
import { boundingBox, invalid, optionalInteger, optionalNumber, optionalObject, optionalStringArray, pct } from './request-params';

export const LABEL_MODEL_VERSION = '3.0';

export interface DetectLabelsParams {
  maxLabels: number;
  minConfidence: number;
  generalLabels: boolean;
  imageProperties: boolean;
  /** Settings.ImageProperties.MaxDominantColors (0-20, default 10). */
  maxDominantColors: number;
  include?: Set<string>;
  exclude?: Set<string>;
  includeCategories?: Set<string>;
  excludeCategories?: Set<string>;
}

const FEATURES = ['GENERAL_LABELS', 'IMAGE_PROPERTIES'];

function lowerSet(list: string[] | undefined): Set<string> | undefined {
  return list && list.length > 0 ? new Set(list.map((s) => s.toLowerCase())) : undefined;
}

export function parseDetectLabelsParams(body: Record<string, unknown>): DetectLabelsParams {
  const features = optionalStringArray(body.Features, 'Features') ?? ['GENERAL_LABELS'];
  for (const f of features)
    if (!FEATURES.includes(f)) throw invalid(`Features: unknown value ${f}; expected one of ${FEATURES.join(', ')}`);
  const settings = optionalObject(body.Settings, 'Settings');
  const general = optionalObject(settings?.GeneralLabels, 'Settings.GeneralLabels');
  const properties = optionalObject(settings?.ImageProperties, 'Settings.ImageProperties') ?? {};
  return {
    maxLabels: optionalInteger(body, 'MaxLabels', 0, Number.MAX_SAFE_INTEGER, 1000),
    minConfidence: optionalNumber(body, 'MinConfidence', 0, 100, 55),
    generalLabels: features.includes('GENERAL_LABELS'),
    imageProperties: features.includes('IMAGE_PROPERTIES'),
    maxDominantColors: optionalInteger(properties, 'MaxDominantColors', 0, MAX_DOMINANT_COLORS, DEFAULT_MAX_DOMINANT_COLORS),
    include: lowerSet(optionalStringArray(general?.LabelInclusionFilters, 'LabelInclusionFilters')),
    exclude: lowerSet(optionalStringArray(general?.LabelExclusionFilters, 'LabelExclusionFilters')),
    includeCategories: lowerSet(optionalStringArray(general?.LabelCategoryInclusionFilters, 'LabelCategoryInclusionFilters')),
    excludeCategories: lowerSet(optionalStringArray(general?.LabelCategoryExclusionFilters, 'LabelCategoryExclusionFilters')),
  };
}

/**
 * CenterNet scores are low even for obvious objects (0.45-0.6 on the sample photos) where Rekognition
 * says 90+. Linear calibration: score 0.30 → 50 %, 0.45 → 74.5 %, 0.60 → 99 %, clipped to [0, 99.9].
 */
export function calibratedConfidence(score: number): number {
  return Math.min(99.9, Math.max(0, 50 + ((score - 0.3) * 49) / 0.3));
}

interface LabelAcc {
  name: string;
  confidence: number;
  instances: { box: ObjectObservation['box']; confidence: number }[];
  aliases: Set<string>;
  categories: Set<string>;
}

/** Settings.GeneralLabels: whether a label of this name and these categories passes the inclusion/exclusion filters. */
export function labelPassesFilters(labelName: string, categories: string[], params: DetectLabelsParams): boolean {
  const name = labelName.toLowerCase();
  const cats = categories.map((c) => c.toLowerCase());
  if (params.include && !params.include.has(name) && !(params.includeCategories && cats.some((c) => params.includeCategories!.has(c))))
    return false;
  if (!params.include && params.includeCategories && !cats.some((c) => params.includeCategories!.has(c))) return false;
  if (params.exclude?.has(name)) return false;
  if (params.excludeCategories && cats.some((c) => params.excludeCategories!.has(c))) return false;
  return true;
}

export function buildDetectLabelsResponse(
  objects: ObjectObservation[],
  params: DetectLabelsParams,
  imageProperties?: DetectLabelsImageProperties,
): DetectLabelsResponse {
  const labels = new Map<string, LabelAcc>();
  const acc = (name: string): LabelAcc => {
    let l = labels.get(name);
    if (!l) {
      l = { name, confidence: 0, instances: [], aliases: new Set(), categories: new Set() };
      labels.set(name, l);
    }
    return l;
  };
  if (params.generalLabels) {
    for (const o of objects) {
      // Per-class thresholds (label-thresholds.ts): a class's threshold score maps to 55 %.
      const confidence = calibratedConfidence(o.score - thresholdShift(o.label));
      if (confidence < params.minConfidence) continue;
      const info = COCO_TO_LABEL[o.label];
      const l = acc(info.name);
      l.confidence = Math.max(l.confidence, confidence);
      l.instances.push({ box: o.box, confidence });
      for (const a of info.aliases ?? []) l.aliases.add(a);
      for (const c of info.categories) l.categories.add(c);
      for (const parentName of ancestors(info.name)) {
        const p = acc(parentName);
        p.confidence = Math.max(p.confidence, confidence);
        for (const c of info.categories) p.categories.add(c);
      }
    }
  }
  const keep = (l: LabelAcc): boolean => labelPassesFilters(l.name, [...l.categories], params);
  const out: Label[] = [...labels.values()]
    .filter(keep)
    .sort((a, b) => b.confidence - a.confidence || a.name.localeCompare(b.name))
    .slice(0, params.maxLabels)
    .map((l) => ({
      Name: l.name,
      Confidence: pct(l.confidence),
      Instances: l.instances.map((i) => ({ BoundingBox: boundingBox(i.box), Confidence: pct(i.confidence) })),
      Parents: ancestors(l.name).map((Name) => ({ Name })),
      Aliases: [...l.aliases].sort().map((Name) => ({ Name })),
      Categories: [...l.categories].sort().map((Name) => ({ Name })),
    }));
  const response: DetectLabelsResponse = { LabelModelVersion: LABEL_MODEL_VERSION };
  if (params.generalLabels) response.Labels = out;
  // Computed by the caller (image-properties.ts) only when Features asks for IMAGE_PROPERTIES.
  if (params.imageProperties && imageProperties) response.ImageProperties = imageProperties;
  return response;
}
