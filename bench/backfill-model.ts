/**
 * What a backfill costs and how long it takes on AWS, from the same sources as the README's other numbers:
 * the cost model (bench/cost-model.ts: the pipeline's price per image, computed from THE definition) plus
 * the backfill's own work per object, counted by running its item processor on the local engine; and the
 * burst model (bench/burst-model.ts) run closed-loop, at most `concurrency` pipeline executions in flight.
 */
import { LocalStateMachine, type EventLog } from '../local/engine/local-state-machine';
import {
  BACKFILL_ITEM_TASK,
  backfillItemProcessor,
  DEFAULT_BACKFILL_CONCURRENCY,
  loadBackfillDefinition,
  START_PIPELINE_RESOURCE,
} from '../statemachines/backfill';
import { loadDefinition, readDefinitionText, type AslDefinition } from '../statemachines/definition';
import { simulateBurst, type BurstOutcome, type RekognitionOperation } from './burst-model';
import { costPerThousandImages, PRICES } from './cost-model';

/** PrepareBackfillItem as deployed (256 MB) and an estimate of its run: one strongly consistent GetItem. */
export const BACKFILL_ITEM_PROFILE = { memoryMb: 256, durationMs: 40, readUnits: 1 } as const;
/** Objects per ListObjectsV2 page (the ItemReader's). */
const LIST_PAGE = 1000;

/** State transitions of one object through the item processor, START and SKIP, counted on the local engine. */
export async function itemProcessorTransitions(): Promise<{ start: number; skip: number }> {
  const substitutions = Object.fromEntries(
    [
      'BucketName',
      'Region',
      'Account',
      'BackfillConcurrency',
      'BackfillToleratedFailurePercentage',
      'BackfillResultsPrefix',
      'ImagePipelineArn',
      BACKFILL_ITEM_TASK.substitution,
    ].map((name) => [name, name.startsWith('Backfill') && !name.endsWith('Arn') && !name.endsWith('Prefix') ? '1' : 'x']),
  );
  // A Task's Resource must be an ARN, even one the engine never calls.
  substitutions[BACKFILL_ITEM_TASK.substitution] = 'arn:aws:lambda:us-east-1:000000000000:function:backfill-item';
  const count = async (decision: 'START' | 'SKIP') => {
    const machine = new LocalStateMachine({
      definition: backfillItemProcessor(loadBackfillDefinition(substitutions)),
      handlers: { [BACKFILL_ITEM_TASK.state]: async () => ({ decision, reason: '', event: {} }) },
      integrations: { [START_PIPELINE_RESOURCE]: async () => ({ ExecutionArn: 'x', Status: 'SUCCEEDED' }) },
      substitutions: {},
    });
    const outcome = await machine.execute({}, { name: `cost-${decision}` });
    return outcome.events.filter((e: EventLog) => e.type === 'StateEntered').length;
  };
  return { start: await count('START'), skip: await count('SKIP') };
}

export interface BackfillCost {
  images: number;
  pipelineUsd: number;
  backfillUsd: number;
  transitionsPerObject: number;
}

/** USD for `images` objects that all need analysing (the backfill's own part is also paid for skipped ones). */
export async function backfillCost(images: number): Promise<BackfillCost> {
  const perThousand = (await costPerThousandImages()).reduce((total, line) => total + line.usd, 0);
  const { start } = await itemProcessorTransitions();
  // The Map state itself and the parent's two states are a handful of transitions per run, not per object.
  const perObject =
    start * PRICES.stepFunctionsPerTransition +
    PRICES.lambdaPerRequest +
    (BACKFILL_ITEM_PROFILE.memoryMb / 1024) * (BACKFILL_ITEM_PROFILE.durationMs / 1000) * PRICES.lambdaPerGbSecond +
    BACKFILL_ITEM_PROFILE.readUnits * PRICES.dynamoPerReadUnit +
    // LIST is priced like PUT; one request per page.
    PRICES.s3PerPut / LIST_PAGE;
  return { images, pipelineUsd: (perThousand * images) / 1000, backfillUsd: perObject * images, transitionsPerObject: start };
}

export interface BackfillScenario {
  name: string;
  tps: Record<RekognitionOperation, number>;
  lambdaConcurrency: number;
}

export const BACKFILL_SCENARIOS: BackfillScenario[] = [
  {
    name: 'us-east-1 default quotas',
    tps: { DetectFaces: 100, DetectLabels: 50, DetectText: 50, DetectModerationLabels: 50 },
    lambdaConcurrency: 1000,
  },
  {
    name: '5 TPS per operation (smaller region)',
    tps: { DetectFaces: 5, DetectLabels: 5, DetectText: 5, DetectModerationLabels: 5 },
    lambdaConcurrency: 1000,
  },
];

/**
 * The backfill of `images` objects as the burst model sees it: `concurrency` executions in flight, each
 * object's item-processor overhead added.
 */
export function simulateBackfill(
  images: number,
  scenario: BackfillScenario,
  concurrency = DEFAULT_BACKFILL_CONCURRENCY,
  seed = 1,
): BurstOutcome {
  const definition: AslDefinition = loadDefinition(
    Object.fromEntries([...readDefinitionText().matchAll(/\$\{([A-Za-z0-9]+)\}/g)].map((m) => [m[1], 'x'])),
  );
  return simulateBurst(definition, {
    images,
    tps: scenario.tps,
    lambdaConcurrency: scenario.lambdaConcurrency,
    startsPerSecond: 300,
    startBurst: 1300,
    sdkMaxAttempts: 1,
    seed,
    maxInFlight: concurrency,
    // PrepareBackfillItem plus Step Functions starting the child and the pipeline (estimate).
    perItemOverheadSeconds: 0.3,
  });
}
