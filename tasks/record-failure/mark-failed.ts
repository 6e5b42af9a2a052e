/** Marks the image's item FAILED, unless that would overwrite a newer version or another execution's work. */
import { UpdateCommand, type DynamoDBDocumentClient, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { FailureEntry } from '../../dead-letters/build';
import { callAws } from '../shared/errors';
import { statusKey } from '../shared/image-indexes';
import { buildUpdate, imageIdentity, imageKey, isConditionalCheckFailed, statusIndexValue } from '../shared/image-table';
import { sequencerKey } from '../shared/sequencer';
import type { ImageRef } from '../shared/types';

/**
 * Written when no item exists (a minimal FAILED item, so the failure is visible in the table), or when
 * the item holds this same version AND one of:
 *  - this execution claimed it (the normal case: a later state of ours failed);
 *  - it is already FAILED (refresh the failure with the latest attempt's);
 *  - its claim was abandoned (PROCESSING past the claim timeout).
 * Never over a newer version (different sequencerKey), a SUCCEEDED or PARTIAL result, or a live claim
 * of another execution: e.g. a duplicate event whose own claim failed must not clobber the original.
 */
export const MARK_FAILED_CONDITION = [
  'attribute_not_exists(#imageId)',
  'OR (#sequencerKey = :ifSequencerKey AND (#executionId = :ifExecutionId OR #status = :ifFailed',
  'OR (#status = :ifProcessing AND #updatedAt < :ifStaleBefore)))',
].join(' ');

/**
 * Added when this execution's claim made the item (ClaimImage said PROCESS): the item is then gone only because
 * the image was deleted (DELETE /images, or a delete in S3) while its analysis ran, and must stay gone.
 */
export const CLAIMED_EXTRA_CONDITION = 'attribute_exists(#imageId)';

export interface MarkFailedParts {
  tableName: string;
  image: ImageRef;
  /** This execution claimed the item (its claim said PROCESS): never write a new one. */
  claimed?: boolean;
  failure: FailureEntry;
  reason: string;
  executionId: string;
  startedAt: string;
  analyzer: string;
  claimTimeoutSeconds: number;
  now: Date;
}

export function markFailedRequest(parts: MarkFailedParts): UpdateCommandInput {
  const now = parts.now.toISOString();
  const key = sequencerKey(parts.image.sequencer);
  const update = buildUpdate({
    set: {
      ...imageIdentity(parts.image),
      status: 'FAILED',
      statusKey: statusKey(parts.image.imageId, 'FAILED'),
      // Lists the item in the sparse byStatus index.
      listedStatus: statusIndexValue('FAILED'),
      statusReason: parts.reason,
      failure: parts.failure,
      executionId: parts.executionId,
      startedAt: parts.startedAt,
      updatedAt: now,
      completedAt: now,
      analyzer: parts.analyzer,
    },
    setIfNotExists: { createdAt: now },
  });
  return {
    TableName: parts.tableName,
    Key: imageKey(parts.image.imageId),
    ...update,
    ConditionExpression: parts.claimed ? `(${MARK_FAILED_CONDITION}) AND ${CLAIMED_EXTRA_CONDITION}` : MARK_FAILED_CONDITION,
    ExpressionAttributeNames: { ...update.ExpressionAttributeNames, '#imageId': 'imageId' },
    ExpressionAttributeValues: {
      ...update.ExpressionAttributeValues,
      ':ifSequencerKey': key,
      ':ifExecutionId': parts.executionId,
      ':ifFailed': 'FAILED',
      ':ifProcessing': 'PROCESSING',
      ':ifStaleBefore': new Date(parts.now.getTime() - parts.claimTimeoutSeconds * 1000).toISOString(),
    },
  };
}

/** MARKED, or NOT_MARKED when the condition protected a newer or someone else's item. */
export async function markFailed(dynamo: DynamoDBDocumentClient, parts: MarkFailedParts): Promise<'MARKED' | 'NOT_MARKED'> {
  try {
    await callAws('DynamoDB', () => dynamo.send(new UpdateCommand(markFailedRequest(parts))));
    return 'MARKED';
  } catch (error) {
    if (isConditionalCheckFailed(error)) return 'NOT_MARKED';
    throw error;
  }
}
