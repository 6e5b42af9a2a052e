/** RecordFailure: say in words what failed, mark the item FAILED when it is safe to, build the dead letter. */
import type { TaskClients } from '../shared/aws-clients';
import type { PicflowConfig } from '../shared/config';
import { buildDeadLetter } from '../../dead-letters/build';
import { imageIdentity } from '../shared/image-table';
import { syncFaceIndex } from '../shared/faces';
import { syncLabelEntries } from '../shared/label-index';
import type { Logger } from '@aws-lambda-powertools/logger';
import { logger } from '../shared/logger';
import type { RecordFailureInput, RecordedResult } from '../shared/types';
import { failureReason, failuresFrom, imageFrom } from './describe-failure';
import { markFailed } from './mark-failed';

export async function recordFailure(
  input: RecordFailureInput,
  {
    config,
    clients,
  }: {
    config: Pick<PicflowConfig, 'tableName' | 'uploadPrefix' | 'analyzerName' | 'claimTimeoutSeconds'> &
      Partial<Pick<PicflowConfig, 'faceCollectionId'>>;
    clients: Pick<TaskClients, 'dynamo'> & Partial<Pick<TaskClients, 'rekognition'>>;
  },
  now: Date = new Date(),
  // The invocation's logger, so these lines carry its image key and execution id like the handler's.
  log: Logger = logger,
): Promise<RecordedResult & { status: 'FAILED' }> {
  const failures = failuresFrom(input?.failedStates);
  const reason = failureReason(failures);
  const image = imageFrom(input, config);
  if (image) {
    // DynamoDB errors propagate (renamed): the definition retries them; the dead letter waits for it.
    const outcome = await markFailed(clients.dynamo, {
      tableName: config.tableName,
      image,
      claimed: input.claim?.decision === 'PROCESS',
      failure: failures[0],
      reason,
      executionId: input.executionId,
      startedAt: input.startedAt,
      analyzer: config.analyzerName,
      claimTimeoutSeconds: config.claimTimeoutSeconds,
      now,
    });
    // A FAILED image has no labels: the previous attempt's label entries go.
    if (outcome === 'MARKED') {
      await syncLabelEntries(clients.dynamo, config.tableName, { imageId: image.imageId, ...imageIdentity(image), labels: [] });
      // Nor faces: any this execution indexed before failing, and the previous version's, leave the collection.
      if (config.faceCollectionId && clients.rekognition) {
        await syncFaceIndex(
          { dynamo: clients.dynamo, rekognition: clients.rekognition },
          config.tableName,
          config.faceCollectionId,
          { imageId: image.imageId, ...imageIdentity(image) },
          [],
        );
      }
    }
    if (outcome === 'NOT_MARKED') {
      log.warn('Item not marked FAILED: it belongs to a newer version or another execution, or was deleted', {
        imageId: image.imageId,
      });
    }
  } else {
    log.warn('No image to mark FAILED: the event could not be read', { reason });
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
