/** Lambda entry point of the clean-up after an upload is deleted directly in S3 (EventBridge "Object Deleted" rule). */
import { lambdaDeps, type TaskDeps } from '../../tasks/shared/aws-clients';
import { invocationLogger } from '../../tasks/shared/logger';
import { cleanUpDeletedObject, type CleanUpOutcome, type S3ObjectDeletedEvent } from './clean-up-deleted';

/** The clean-up, given its configuration and clients (the local runtime calls it with its own). */
export async function run(
  event: S3ObjectDeletedEvent,
  { config, clients }: TaskDeps,
): Promise<{ imageId: string; outcome: CleanUpOutcome }> {
  const result = await cleanUpDeletedObject(event, config.tableName, clients, config.faceCollectionId);
  // One line per event, through the tasks' structured logger: which image, and whether its results went (or why they stayed).
  invocationLogger({ imageId: result.imageId, key: event.detail.object.key, state: 'ObjectDeleted' }).info('object deleted', {
    outcome: result.outcome,
    deletionType: event.detail['deletion-type'],
    sequencer: event.detail.object.sequencer,
  });
  return result;
}

/** Lambda entry point: configuration and clients from the function's environment. */
export const handler = (event: S3ObjectDeletedEvent): Promise<{ imageId: string; outcome: CleanUpOutcome }> => run(event, lambdaDeps());
