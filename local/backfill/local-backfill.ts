/**
 * `picflow backfill` on the local stack: lists the bucket under a prefix (after the checkpoint of an
 * unfinished run) and puts each object through the backfill definition's item processor on the local
 * engine, the same states as on AWS: PrepareBackfillItem (tasks/backfill-item) decides, and
 * `states:startExecution.sync:2` runs the image pipeline on the local runner and waits for it.
 */
import { run as prepareBackfillItem } from '../../tasks/backfill-item/handler';
import { BACKFILL_ITEM_TASK, backfillItemProcessor, loadBackfillDefinition, START_PIPELINE_RESOURCE } from '../../statemachines/backfill';
import { LocalStateMachine } from '../engine/local-state-machine';
import type { LocalStack } from '../stack/local-stack';
import { LOCAL_REGION } from '../stack/local-names';
import { LOCAL_ACCOUNT } from '../local-account';
import { DoneFrontier, clearCheckpoint, readCheckpoint, writeCheckpoint } from './backfill-checkpoint';
import { type ListedObject, listBackfillObjects } from './backfill-listing';

export interface LocalBackfillOptions {
  prefix: string;
  reanalyse: boolean;
  /** Objects in the item processor at once. */
  concurrency: number;
  checkpointPath: string;
  /** Listing page size (tests use a small one to cross pages). @default 1000 */
  pageSize?: number;
  /** Called once the listing is known (resumed runs count only what is left). */
  onListed?: (total: number, resumedAfter: string | undefined) => void;
  onItem?: (key: string, outcome: ItemOutcome) => void;
}

export type ItemOutcome = { decision: 'START' | 'SKIP'; status: 'ANALYSED' | 'SKIPPED' | 'FAILED'; reason: string };

export interface BackfillSummary {
  listed: number;
  analysed: number;
  skipped: number;
  failed: number;
  /** Key and why, for each failed object. */
  failures: { key: string; reason: string }[];
  resumedAfter?: string;
}

/** The item processor on the local engine, its Task states bound to this stack (placeholders filled as CDK does). */
export function localItemProcessor(stack: LocalStack): LocalStateMachine {
  const definition = backfillItemProcessor(
    loadBackfillDefinition({
      BucketName: stack.bucket,
      Region: LOCAL_REGION,
      Account: LOCAL_ACCOUNT,
      BackfillConcurrency: '1',
      BackfillToleratedFailurePercentage: '0',
      BackfillResultsPrefix: 'unused/',
      ImagePipelineArn: stack.machine.stateMachineArn,
      BackfillItemFunctionArn: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:picflow-${BACKFILL_ITEM_TASK.state}`,
    }),
  );
  return new LocalStateMachine({
    definition,
    stateMachineName: 'picflow-backfill-item',
    handlers: { [BACKFILL_ITEM_TASK.state]: (input) => prepareBackfillItem(input as never, stack.tasks) },
    integrations: {
      // Step Functions' .sync:2: start the execution, wait for it, fail the task when the execution did not succeed.
      [START_PIPELINE_RESOURCE]: async (input) => {
        const { Input } = input as { StateMachineArn: string; Input: unknown };
        const record = await stack.runner.start(Input);
        if (record.status !== 'SUCCEEDED') {
          const error = new Error(`${record.error ?? record.status}: ${record.cause ?? ''}`);
          error.name = 'States.TaskFailed';
          throw error;
        }
        return { ExecutionArn: record.executionArn, Status: record.status, Output: JSON.stringify(record.output ?? null) };
      },
    },
    substitutions: {},
  });
}

/** Runs the backfill to the end; the checkpoint is removed when every listed object is done. */
export async function runLocalBackfill(stack: LocalStack, options: LocalBackfillOptions): Promise<BackfillSummary> {
  const resumed = readCheckpoint(options.checkpointPath, options);
  const objects: ListedObject[] = [];
  for await (const object of listBackfillObjects(stack.clients.s3, {
    bucket: stack.bucket,
    prefix: options.prefix,
    startAfter: resumed?.lastKey,
    pageSize: options.pageSize,
  })) {
    objects.push(object);
  }
  options.onListed?.(objects.length, resumed?.lastKey);
  const processor = localItemProcessor(stack);
  const frontier = new DoneFrontier(objects.map((o) => o.Key));
  const summary: BackfillSummary = {
    listed: objects.length,
    analysed: 0,
    skipped: 0,
    failed: 0,
    failures: [],
    resumedAfter: resumed?.lastKey,
  };
  let next = 0;
  const worker = async () => {
    while (next < objects.length) {
      const index = next++;
      const outcome = await processOne(processor, stack.bucket, objects[index], options.reanalyse, index);
      if (outcome.status === 'ANALYSED') summary.analysed += 1;
      else if (outcome.status === 'SKIPPED') summary.skipped += 1;
      else {
        summary.failed += 1;
        summary.failures.push({ key: objects[index].Key, reason: outcome.reason });
      }
      options.onItem?.(objects[index].Key, outcome);
      const lastKey = frontier.markDone(index);
      if (lastKey !== undefined) writeCheckpoint(options.checkpointPath, { prefix: options.prefix, reanalyse: options.reanalyse, lastKey });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
  clearCheckpoint(options.checkpointPath);
  return summary;
}

/** One object through the item processor, as one Map iteration: its input is what the ItemSelector builds. */
async function processOne(
  processor: LocalStateMachine,
  bucket: string,
  object: ListedObject,
  reanalyse: boolean,
  index: number,
): Promise<ItemOutcome> {
  const input = {
    bucket,
    region: LOCAL_REGION,
    account: LOCAL_ACCOUNT,
    key: object.Key,
    etag: object.Etag,
    size: object.Size,
    lastModified: object.LastModified,
    reanalyse,
  };
  const outcome = await processor.execute(input, { name: `backfill-${Date.now()}-${index}` });
  if (outcome.status !== 'SUCCEEDED') {
    return { decision: 'START', status: 'FAILED', reason: `${outcome.error ?? outcome.status}: ${outcome.cause ?? ''}` };
  }
  const output = outcome.output as { decision: 'START' | 'SKIP'; reason?: string; status?: string };
  return output.decision === 'SKIP'
    ? { decision: 'SKIP', status: 'SKIPPED', reason: output.reason ?? '' }
    : { decision: 'START', status: 'ANALYSED', reason: output.status ?? '' };
}
