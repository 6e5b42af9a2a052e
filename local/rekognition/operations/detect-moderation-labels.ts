/**
 * DetectModerationLabels: request parameters → nsfwjs class probabilities → Rekognition's moderation
 * taxonomy (model version 7: three levels, L1 "Explicit" → L2 "Explicit Nudity", ...).
 *
 * nsfwjs has 5 whole-image classes; only two map onto the taxonomy, each behind a conservative threshold
 * on the class probability (a football photo scored Sexy 0.89, so Sexy needs 0.95):
 *   Porn ≥ 0.80   → L1 "Explicit" + L2 "Explicit Nudity" (parent "Explicit")
 *   Hentai ≥ 0.80 → L1 "Explicit" + L2 "Explicit Nudity" (drawn), and ContentTypes "Animated"
 *   Sexy ≥ 0.95   → L1 "Swimwear or Underwear" (nsfwjs cannot tell the L2 female/male split)
 *   Drawing ≥ 0.80 → no label; ContentTypes "Illustrated"
 *   Neutral       → nothing
 * Confidence is the class probability × 100; the request's MinConfidence (default 50) then applies.
 * Nothing here detects Violence, Visually Disturbing, Drugs & Tobacco, Alcohol, Rude Gestures, Gambling
 * or Hate Symbols.
 */
import type { ContentType, DetectModerationLabelsResponse, ModerationLabel } from '@aws-sdk/client-rekognition';
import type { NsfwScores } from '../models/nsfw-classifier';
import { optionalNumber, pct } from './request-params';

export const MODERATION_MODEL_VERSION = '7.0';

export const MODERATION_THRESHOLDS = {
  Porn: 0.8,
  Hentai: 0.8,
  Sexy: 0.95,
  Drawing: 0.8,
} as const;

export interface DetectModerationLabelsParams {
  minConfidence: number;
}

export function parseDetectModerationLabelsParams(body: Record<string, unknown>): DetectModerationLabelsParams {
  return { minConfidence: optionalNumber(body, 'MinConfidence', 0, 100, 50) };
}

export function buildDetectModerationLabelsResponse(
  scores: NsfwScores,
  params: DetectModerationLabelsParams,
): DetectModerationLabelsResponse {
  const labels = new Map<string, ModerationLabel>();
  const add = (name: string, parent: string, level: number, probability: number): void => {
    const confidence = probability * 100;
    const existing = labels.get(name);
    if (existing && (existing.Confidence ?? 0) >= confidence) return;
    labels.set(name, { Confidence: pct(confidence), Name: name, ParentName: parent, TaxonomyLevel: level });
  };
  const explicit = Math.max(
    scores.Porn >= MODERATION_THRESHOLDS.Porn ? scores.Porn : 0,
    scores.Hentai >= MODERATION_THRESHOLDS.Hentai ? scores.Hentai : 0,
  );
  if (explicit > 0) {
    add('Explicit Nudity', 'Explicit', 2, explicit);
    add('Explicit', '', 1, explicit);
  }
  if (scores.Sexy >= MODERATION_THRESHOLDS.Sexy) add('Swimwear or Underwear', '', 1, scores.Sexy);

  const contentTypes: ContentType[] = [];
  if (scores.Hentai >= MODERATION_THRESHOLDS.Hentai) contentTypes.push({ Name: 'Animated', Confidence: pct(scores.Hentai * 100) });
  if (scores.Drawing >= MODERATION_THRESHOLDS.Drawing) contentTypes.push({ Name: 'Illustrated', Confidence: pct(scores.Drawing * 100) });

  const ModerationLabels = [...labels.values()]
    .filter((l) => (l.Confidence ?? 0) >= params.minConfidence)
    .sort((a, b) => (b.Confidence ?? 0) - (a.Confidence ?? 0) || (a.TaxonomyLevel ?? 0) - (b.TaxonomyLevel ?? 0));
  return {
    ModerationLabels,
    ModerationModelVersion: MODERATION_MODEL_VERSION,
    ContentTypes: contentTypes.filter((c) => (c.Confidence ?? 0) >= params.minConfidence),
  };
}
