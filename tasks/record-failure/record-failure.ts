/** RecordFailure: say in words what failed, mark the item FAILED when it is safe to, build the dead letter. */
import type { TaskClients } from '../shared/aws-clients';
import type { PicflowConfig } from '../shared/config';
import { buildDeadLetter } from '../shared/dead-letter';
import { logger } from '../shared/logger';
import type { RecordFailureInput, StoreResultOutput } from '../shared/types';
import { failureReason, failuresFrom, imageFrom } from './describe-failure';
import { markFailed } from './mark-failed';

export async function recordFailure(
  input: RecordFailureInput,
  { config, clients }: { config: Pick<PicflowConfig, 'tableName' | 'uploadPrefix' | 'analyzerName' | 'claimTimeoutSeconds'>; clients: Pick<TaskClients, 'dynamo'> },
  now: Date = new Date(),
): Promise<StoreResultOutput & { status: 'FAILED' }> {
  const failures = failuresFrom(input?.failedStates);
  const reason = failureReason(failures);
  const image = imageFrom(input, config);
  if (image) {
    // DynamoDB errors propagate (renamed): the definition retries them; the dead letter waits for it.
    const outcome = await markFailed(clients.dynamo, {
      tableName: config.tableName,
      image,
      failure: failures[0],
      reason,
      executionId: input.executionId,
      startedAt: input.startedAt,
      analyzer: config.analyzerName,
      claimTimeoutSeconds: config.claimTimeoutSeconds,
      now,
    });
    if (outcome === 'NOT_MARKED') {
      logger.warn('Item not marked FAILED: it belongs to a newer version or another execution', { imageId: image.imageId });
    }
  } else {
    logger.warn('No image to mark FAILED: the event could not be read', { reason });
  }
  return {
    ...(image ? { imageId: image.imageId } : {}),
    status: 'FAILED',
    reason,
    deadLetter: buildDeadLetter({
      event: input?.event,
      executionId: input?.executionId,
      status: 'FAILED',
      reason,
      failures,
      image,
      failedAt: now,
    }),
  };
}
