/**
 * The card: the few facts a library grid shows per image (faces, top labels, verdict, smallest thumbnail),
 * kept small on the image item and on its label entries so a page of query rows needs no GET per image.
 */
import type { ImageItem, ModerationVerdict, Thumbnail } from './types';

/** Labels a card names: the grid shows three; more would only grow every index entry. */
export const CARD_LABELS = 3;
/** A label name longer than this is cut (Rekognition's are short; an open model's could be anything). */
const CARD_LABEL_CHARS = 40;

/** Short field names: the card is copied into the image's index entry and every label entry (~160 bytes as JSON). */
export interface ImageCard {
  /** Faces found. */
  f?: number;
  /** Top labels by confidence, highest first. */
  l?: string[];
  /** Moderation verdict. */
  v?: ModerationVerdict;
  /** S3 key of the smallest thumbnail (same bucket as the image). */
  t?: string;
}

/** The card of a built item; undefined when the item has nothing a card shows. */
export function imageCard(item: Pick<ImageItem, 'faceCount' | 'labels' | 'moderation' | 'thumbnails'>): ImageCard | undefined {
  const labels = [...(item.labels ?? [])]
    .sort((a, b) => b.confidence - a.confidence)
    .slice(0, CARD_LABELS)
    .map((label) => label.name.slice(0, CARD_LABEL_CHARS));
  const thumbnail = smallest(item.thumbnails);
  const card: ImageCard = {
    ...(item.faceCount !== undefined ? { f: item.faceCount } : {}),
    ...(labels.length > 0 ? { l: labels } : {}),
    ...(item.moderation?.verdict ? { v: item.moderation.verdict } : {}),
    ...(thumbnail ? { t: thumbnail.key } : {}),
  };
  return Object.keys(card).length > 0 ? card : undefined;
}

/** The thumbnail with the fewest pixels: what a grid cell needs, at the fewest bytes. */
function smallest(thumbnails: Thumbnail[] | undefined): Thumbnail | undefined {
  let best: Thumbnail | undefined;
  for (const t of thumbnails ?? []) if (!best || t.width * t.height < best.width * best.height) best = t;
  return best;
}
