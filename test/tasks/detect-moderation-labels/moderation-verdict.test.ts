import { moderationVerdict } from '../../../tasks/detect-moderation-labels/moderation-verdict';
import type { ModerationLabel } from '../../../tasks/shared/types';

/** `name<parent` entries, e.g. 'Exposed Male Genitalia<Explicit Nudity'; no `<` for a top-level label. */
function labels(...entries: string[]): ModerationLabel[] {
  return entries.map((entry) => {
    const [name, parentName = ''] = entry.split('<');
    return { name, parentName, confidence: 90 };
  });
}

describe('Function: moderationVerdict', () => {
  it.each([
    // No labels at or above the threshold.
    [[], 'safe'],
    // Model 7, explicit categories: the label itself, its parent, or an ancestor in the response.
    [['Explicit'], 'explicit'],
    [['Exposed Male Genitalia<Explicit Nudity'], 'explicit'],
    [['Explicit Sexual Activity<Explicit'], 'explicit'],
    [['Weapons<Violence'], 'explicit'],
    [['Blood & Gore<Graphic Violence'], 'explicit'],
    [['Corpses<Death and Emaciation'], 'explicit'],
    [['Air Crash<Crashes'], 'explicit'],
    [['Nazi Party<Hate Symbols'], 'explicit'],
    // Names compare case-insensitively: model 6 capitalises "Explosions And Blasts".
    [['Explosions And Blasts'], 'explicit'],
    [['Some Future Label<Some Future L2', 'Some Future L2<Violence'], 'explicit'],
    // Model 7, everything else is suggestive.
    [['Implied Nudity<Non-Explicit Nudity', 'Non-Explicit Nudity<Non-Explicit Nudity of Intimate parts and Kissing'], 'suggestive'],
    [['Swimwear or Underwear'], 'suggestive'],
    [['Female Swimwear or Underwear<Swimwear or Underwear'], 'suggestive'],
    [['Smoking<Drugs & Tobacco Paraphernalia & Use', 'Drugs & Tobacco Paraphernalia & Use<Drugs & Tobacco'], 'suggestive'],
    [['Alcoholic Beverages<Alcohol'], 'suggestive'],
    [['Middle Finger<Rude Gestures'], 'suggestive'],
    [['Gambling'], 'suggestive'],
    // Model 6 names.
    [['Graphic Female Nudity<Explicit Nudity'], 'explicit'],
    [['Graphic Violence Or Gore<Violence'], 'explicit'],
    [['Explosions And Blasts<Visually Disturbing'], 'explicit'],
    [['Female Swimwear Or Underwear<Suggestive'], 'suggestive'],
    [['Tobacco Products<Tobacco'], 'suggestive'],
    // One explicit label among suggestive ones decides.
    [['Alcoholic Beverages<Alcohol', 'Extremist<Hate Symbols'], 'explicit'],
  ])('%j → %s', (entries, expected) => {
    expect(moderationVerdict(labels(...entries))).toBe(expected);
  });

  it('survives a malformed cycle of parents', () => {
    expect(moderationVerdict(labels('A<B', 'B<A'))).toBe('suggestive');
  });
});
