// THE definition on the local engine with the real bookkeeping tasks (ClaimImage, StoreResult, RecordFailure)
// and stub analyses, for the definition tests that run against dynalite.
import { LocalStateMachine, type TaskHandler } from '../../../local/engine/local-state-machine';
import { handler as claimImage } from '../../../tasks/claim-image/handler';
import { handler as recordFailure } from '../../../tasks/record-failure/handler';
import { handler as storeResult } from '../../../tasks/store-result/handler';
import { pipelineStubs, type PipelineStubs } from './pipeline-stubs';

/** The stub handlers with the real bookkeeping tasks in place of their stubs. */
export function withBookkeepingTasks(handlers: Record<string, TaskHandler>): Record<string, TaskHandler> {
  return {
    ...handlers,
    ClaimImage: claimImage as never,
    StoreResult: storeResult as never,
    RecordFailure: recordFailure as never,
  };
}

/** The pipeline with `stubs` for the analyses and its dead-letter integration, and the real bookkeeping tasks. */
export function bookkeepingPipeline(stubs: PipelineStubs = pipelineStubs()): LocalStateMachine {
  return new LocalStateMachine({
    handlers: withBookkeepingTasks(stubs.handlers),
    integrations: stubs.integrations,
    substitutions: { DeadLetterQueueUrl: 'http://127.0.0.1/dlq' },
  });
}
