/** RecordFailure: say in words what failed, mark the item FAILED when it is safe to, build the dead letter. */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { TaskClients } from '../shared/aws-clients';
import { callAws } from '../shared/errors';
import type { PicflowConfig } from '../shared/config';
import { buildDeadLetter } from '../../dead-letters/build';
import { imageIdentity, imageKey } from '../shared/image-table';
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
): Promise<RecordedResult & { status: 'FAILED' | 'SUPERSEDED' }> {
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
    const claimed = input.claim?.decision === 'PROCESS';
    if (outcome === 'NOT_MARKED' && claimed && !(await itemExists(clients.dynamo, config.tableName, image.imageId))) {
      // This execution's claim made the item, so only a delete removed it (DELETE /images, or the clean-up after
      // a delete in S3): the image was deleted on purpose during its analysis, whatever then failed (often the
      // missing object itself). A dead letter could never be satisfied (a replay finds no object, a permanent
      // NOT_FOUND) and would only sit in the queue: the definition ends in Superseded, as StoreResult's own
      // "deleted during its analysis" does.
      log.info('Image deleted during its analysis: its failure is not recorded', { imageId: image.imageId, reason });
      return {
        imageId: image.imageId,
        status: 'SUPERSEDED',
        reason: `SUPERSEDED: ${image.key} was deleted during its analysis; its failure (${reason}) was not recorded`,
      };
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

/** Read strongly: the delete has just happened. */
async function itemExists(dynamo: TaskClients['dynamo'], tableName: string, imageId: string): Promise<boolean> {
  const { Item } = await callAws('DynamoDB', () =>
    dynamo.send(new GetCommand({ TableName: tableName, Key: imageKey(imageId), ConsistentRead: true, ProjectionExpression: 'imageId' })),
  );
  return Item !== undefined;
}
