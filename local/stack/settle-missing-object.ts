/**
 * Settles an item left PROCESSING whose object is gone (deleted right after its upload, while the
 * stack was down or before its execution read it): FAILED with reason NOT_FOUND, exactly as the
 * pipeline records a missing object (ValidateImage's ImageValidationError, RecordFailure's mark), and
 * the same dead-letter message SendToDeadLetterQueue would send, so `picflow dlq`/`replay` see it
 * like any other failure (replaying it ends NOT_FOUND again: it is a permanent failure).
 */
import { markFailed } from '../../tasks/record-failure/mark-failed';
import { sendDeadLetter } from '../../tasks/record-failed-execution/send-dead-letter';
import type { TaskDeps } from '../../tasks/shared/aws-clients';
import { buildDeadLetter, failureText, type FailureEntry } from '../../dead-letters/build';
import type { ImageItem, ImageRef } from '../../tasks/shared/types';
import { objectCreatedEvent } from '../events/object-created-event';

/** The state named in the failure: no state of the definition ran into it, start-up recovery found it. */
export const RECOVERY_STATE = 'StartupRecovery';

/** `tasks`: the stack's task configuration and clients, as its task handlers have them. */
export async function settleMissingObject(item: ImageItem, tasks: TaskDeps, now: Date = new Date()): Promise<'MARKED' | 'NOT_MARKED'> {
  const { config, clients } = tasks;
  const image: ImageRef = {
    imageId: item.imageId,
    bucket: item.bucket,
    key: item.key,
    ...(item.versionId ? { versionId: item.versionId } : {}),
    etag: item.etag,
    size: item.size,
    sequencer: item.sequencer,
    eventTime: item.createdAt ?? now.toISOString(),
  };
  const failure: FailureEntry = {
    state: RECOVERY_STATE,
    error: 'ImageValidationError',
    cause: `NOT_FOUND: s3://${item.bucket}/${item.key} does not exist (deleted before its execution finished; found PROCESSING at start-up)`,
  };
  const executionId = item.executionId ?? 'start-up-recovery';
  // Send first, mark second, as the execution-status net does: the mark is what makes the next start
  // leave the item alone, so a crash in between sends the message twice (replay is idempotent), never none.
  if (config.deadLetterQueueUrl) {
    const rawKey = item.imageId.slice(item.bucket.length + 1);
    const event = objectCreatedEvent(
      {
        bucket: item.bucket,
        key: rawKey,
        size: item.size,
        etag: item.etag,
        sequencer: item.sequencer,
        reason: 'PutObject',
        eventTime: image.eventTime,
      },
      await clients.sqs.config.region(),
    );
    await sendDeadLetter(
      clients.sqs,
      config.deadLetterQueueUrl,
      buildDeadLetter({ event, executionId, status: 'FAILED', reason: failureText(failure), failures: [failure], image, failedAt: now }),
    );
  }
  // Conditional on the item still being this version held by this execution: a newer upload's claim wins.
  const marked = await markFailed(clients.dynamo, {
    tableName: config.tableName,
    image,
    failure,
    reason: failureText(failure),
    executionId,
    startedAt: item.startedAt ?? now.toISOString(),
    analyzer: config.analyzerName,
    claimTimeoutSeconds: config.claimTimeoutSeconds,
    now,
  });
  return marked;
}
