/**
 * The moderation verdict (pure): 'explicit', 'suggestive' or 'safe' from Rekognition's moderation labels.
 *
 * Rekognition's moderation taxonomy has three levels (TaxonomyLevel 1-3); each label names its parent
 * (ParentName, "" at the top). https://docs.aws.amazon.com/rekognition/latest/dg/moderation.html
 *
 * | verdict      | when                                                                                     |
 * | ------------ | ---------------------------------------------------------------------------------------- |
 * | `explicit`   | any label, or any of its ancestors, is one of the EXPLICIT_CATEGORIES below               |
 * | `suggestive` | any other label (Non-Explicit Nudity of Intimate parts and Kissing, Swimwear or Underwear,|
 * |              | Drugs & Tobacco, Alcohol, Rude Gestures, Gambling; v6: Suggestive, Drugs, Tobacco, ...)   |
 * | `safe`       | no label at or above MIN_MODERATION_CONFIDENCE                                           |
 *
 * EXPLICIT_CATEGORIES, top level (L1) and its second level (L2), for model 7 and the older model 6
 * names still returned by some accounts and by video moderation:
 *
 * | L1                  | L2 (model 7)                                        | L2 (model 6)                                      |
 * | ------------------- | --------------------------------------------------- | ------------------------------------------------- |
 * | Explicit            | Explicit Nudity, Explicit Sexual Activity, Sex Toys | (model 6 L1: Explicit Nudity) Nudity, Graphic     |
 * |                     |                                                     | Male/Female Nudity, Sexual Activity, Illustrated  |
 * |                     |                                                     | Explicit Nudity, Adult Toys                       |
 * | Violence            | Weapons, Graphic Violence                           | Graphic Violence Or Gore, Physical Violence,      |
 * |                     |                                                     | Weapon Violence, Weapons, Self Injury             |
 * | Visually Disturbing | Death and Emaciation, Crashes                       | Emaciated Bodies, Corpses, Hanging, Air Crash,    |
 * |                     |                                                     | Explosions And Blasts                             |
 * | Hate Symbols        | Nazi Party, White Supremacy, Extremist              | Nazi Party, White Supremacy, Extremist            |
 *
 * L2 names are listed as well as L1 because a response need not contain a label's whole lineage:
 * an L3 label ("Exposed Male Genitalia") names its L2 parent ("Explicit Nudity"), which is enough.
 * Names compare case-insensitively (model 6 and 7 capitalise "Explosions and Blasts" differently).
 */
import type { ModerationLabel, ModerationVerdict } from '../shared/types';

export const EXPLICIT_CATEGORIES: readonly string[] = [
  // Explicit (model 7), Explicit Nudity (model 6 L1, model 7 L2)
  'Explicit',
  'Explicit Nudity',
  'Explicit Sexual Activity',
  'Sex Toys',
  'Nudity',
  'Graphic Male Nudity',
  'Graphic Female Nudity',
  'Sexual Activity',
  'Illustrated Explicit Nudity',
  'Adult Toys',
  // Violence
  'Violence',
  'Weapons',
  'Graphic Violence',
  'Graphic Violence Or Gore',
  'Physical Violence',
  'Weapon Violence',
  'Self Injury',
  // Visually Disturbing
  'Visually Disturbing',
  'Death and Emaciation',
  'Crashes',
  'Emaciated Bodies',
  'Corpses',
  'Hanging',
  'Air Crash',
  'Explosions and Blasts',
  // Hate Symbols
  'Hate Symbols',
  'Nazi Party',
  'White Supremacy',
  'Extremist',
];

const EXPLICIT = new Set(EXPLICIT_CATEGORIES.map(normalise));

export function moderationVerdict(labels: readonly ModerationLabel[]): Exclude<ModerationVerdict, 'unavailable'> {
  if (labels.length === 0) return 'safe';
  const parentOf = new Map(labels.map((label) => [normalise(label.name), normalise(label.parentName)]));
  return labels.some((label) => lineage(label, parentOf).some((name) => EXPLICIT.has(name))) ? 'explicit' : 'suggestive';
}

/** The label's name, its parent's, and on up through parents present in the same response. */
function lineage(label: ModerationLabel, parentOf: Map<string, string>): string[] {
  const names = [normalise(label.name)];
  let parent = normalise(label.parentName);
  // Three levels at most; the bound also guards against a (malformed) cycle.
  while (parent && names.length < 4 && !names.includes(parent)) {
    names.push(parent);
    parent = parentOf.get(parent) ?? '';
  }
  return names;
}

function normalise(name: string | undefined): string {
  return (name ?? '').trim().toLowerCase();
}
