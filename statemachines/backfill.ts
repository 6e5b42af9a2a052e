/**
 * The backfill definition (backfill.asl.json): where it is, its placeholders, and its item processor, the
 * part the local engine runs for each listed object (it has no Distributed Map ItemReader).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AslDefinition, type AslState, definitionPlaceholders, loadDefinition } from './definition';

export const BACKFILL_DEFINITION_PATH = join(__dirname, 'backfill.asl.json');

/** The one Lambda-backed state of the backfill, its handler folder under tasks/ and its placeholder. */
export const BACKFILL_ITEM_TASK = {
  state: 'PrepareBackfillItem',
  folder: 'backfill-item',
  substitution: 'BackfillItemFunctionArn',
} as const;

/** The state that starts the image pipeline and waits for it. */
export const START_PIPELINE_RESOURCE = 'states:startExecution.sync:2';

/** Concurrency of the backfill when the context does not set `backfillConcurrency` (see README "Backfill"). */
export const DEFAULT_BACKFILL_CONCURRENCY = 40;
/** Share of failed objects (percent) after which the Map Run fails, unless `backfillToleratedFailurePercentage` says otherwise. */
export const DEFAULT_BACKFILL_TOLERATED_FAILURE_PERCENTAGE = 5;

export function readBackfillText(): string {
  return readFileSync(BACKFILL_DEFINITION_PATH, 'utf8');
}

/** The placeholders (`${Name}`) the backfill definition uses, sorted. */
export function backfillPlaceholders(): string[] {
  return definitionPlaceholders(readBackfillText());
}

/** The backfill definition with every placeholder replaced (a missing one fails loudly). */
export function loadBackfillDefinition(substitutions: Record<string, string>): AslDefinition {
  return loadDefinition(substitutions, readBackfillText());
}

/** The Map's item processor as a state machine of its own: what one listed object goes through. */
export function backfillItemProcessor(definition: AslDefinition): AslDefinition {
  const map = Object.values(definition.States).find((state: AslState) => state.Type === 'Map' && state.ItemProcessor);
  if (!map) throw new Error('the backfill definition has no Map state with an ItemProcessor');
  const { StartAt, States } = map.ItemProcessor as AslDefinition;
  return { Comment: 'picflow backfill: one object', StartAt, States };
}

/** The backfill's deployment settings (context `backfillConcurrency`, `backfillToleratedFailurePercentage`). */
export interface BackfillSettings {
  /**
   * Objects (so image pipeline executions) in flight at once: what bounds the load on Rekognition.
   * @default DEFAULT_BACKFILL_CONCURRENCY (README "Backfill": how it was chosen)
   */
  readonly concurrency?: number;
  /**
   * Share of failed objects, in percent, after which the Map Run (and the backfill execution) fails.
   * @default 5
   */
  readonly toleratedFailurePercentage?: number;
}

/** What makes backfill settings invalid, each named as the caller names it (props or context keys). */
export function backfillSettingProblems(
  settings: BackfillSettings,
  names = { concurrency: 'concurrency', tolerated: 'toleratedFailurePercentage' },
): string[] {
  const problems: string[] = [];
  const { concurrency, toleratedFailurePercentage: tolerated } = settings;
  if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency >= 1 && concurrency <= 10_000)) {
    problems.push(`${names.concurrency}: ${concurrency} is not a whole number from 1 to 10000 (a Distributed Map's maximum)`);
  }
  if (tolerated !== undefined && !(Number.isFinite(tolerated) && tolerated >= 0 && tolerated <= 100)) {
    problems.push(`${names.tolerated}: ${tolerated} is not a percentage from 0 to 100`);
  }
  return problems;
}
