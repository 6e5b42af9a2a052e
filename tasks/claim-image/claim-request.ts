/** Builds ClaimImage's conditional UpdateItem: when may this event take the image's item? */
import type { UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { statusKey } from '../shared/image-indexes';
import { RESULT_ATTRIBUTES, buildUpdate, imageIdentity, imageKey } from '../shared/image-table';
import { sequencerKey } from '../shared/sequencer';
import type { ImageRef } from '../shared/types';

/**
 * The claim succeeds when:
 *  - no item exists (first event for this key); or
 *  - the stored version is older (a newer upload replaces it); or
 *  - it is this very version and its last attempt FAILED or was PARTIAL (a replay, e.g. from the DLQ); or
 *  - it is this version, PROCESSING, and either this execution claimed it (ClaimImage retried after a
 *    write whose response was lost) or the claim is older than the timeout (its execution died).
 * Anything else (already SUCCEEDED, a newer version, a live claim of another execution) fails the
 * condition, and the caller answers SKIP. One conditional write decides, so two concurrent duplicate
 * events can never both PROCESS.
 */
export const CLAIM_CONDITION = [
  'attribute_not_exists(#imageId)',
  'OR #sequencerKey < :ifSequencerKey',
  'OR (#sequencerKey = :ifSequencerKey AND #status IN (:ifFailed, :ifPartial))',
  'OR (#sequencerKey = :ifSequencerKey AND #status = :ifProcessing AND (#executionId = :ifExecutionId OR #updatedAt < :ifStaleBefore))',
].join(' ');

export interface ClaimRequestParts {
  tableName: string;
  image: ImageRef;
  executionId: string;
  startedAt: string;
  analyzer: string;
  claimTimeoutSeconds: number;
  now: Date;
}

export function claimRequest(parts: ClaimRequestParts): UpdateCommandInput {
  const now = parts.now.toISOString();
  const key = sequencerKey(parts.image.sequencer);
  const update = buildUpdate({
    set: {
      ...imageIdentity(parts.image),
      status: 'PROCESSING',
      statusKey: statusKey(parts.image.imageId, 'PROCESSING'),
      executionId: parts.executionId,
      startedAt: parts.startedAt,
      updatedAt: now,
      analyzer: parts.analyzer,
    },
    setIfNotExists: { createdAt: now },
    // Always cleared: the item describes one attempt, never a mix of a previous version's faces
    // (or a previous attempt's failure) with this attempt's status.
    remove: RESULT_ATTRIBUTES,
  });
  return {
    TableName: parts.tableName,
    Key: imageKey(parts.image.imageId),
    ...update,
    ConditionExpression: CLAIM_CONDITION,
    ExpressionAttributeNames: { ...update.ExpressionAttributeNames, '#imageId': 'imageId' },
    ExpressionAttributeValues: {
      ...update.ExpressionAttributeValues,
      ':ifSequencerKey': key,
      ':ifFailed': 'FAILED',
      ':ifPartial': 'PARTIAL',
      ':ifProcessing': 'PROCESSING',
      ':ifExecutionId': parts.executionId,
      // ISO-8601 UTC strings of one format order like the instants they name.
      ':ifStaleBefore': new Date(parts.now.getTime() - parts.claimTimeoutSeconds * 1000).toISOString(),
    },
    // The previous item says why we PROCESS (first event, newer version, replay, takeover).
    ReturnValues: 'ALL_OLD',
  };
}
