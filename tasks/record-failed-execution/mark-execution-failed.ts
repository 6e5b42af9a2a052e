/**
 * Marks the image's item FAILED for an execution that ended badly, only where RecordFailure's rules allow it and no result would be lost.
 */
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { callAws } from '../shared/errors';
import { isConditionalCheckFailed } from '../shared/image-table';
import { markFailedRequest, type MarkFailedParts } from '../record-failure/mark-failed';

/**
 * RecordFailure's condition (no item, or this version AND ours / already FAILED / abandoned), and on
 * top of it: never over a SUCCEEDED or PARTIAL result. An aborted execution's last Lambda can still
 * finish after the abort, and its result is worth more than a "the execution was aborted" failure.
 */
export const NET_EXTRA_CONDITION = 'attribute_not_exists(#imageId) OR #status IN (:ifProcessing, :ifFailed)';

export async function markExecutionFailed(dynamo: DynamoDBDocumentClient, parts: MarkFailedParts): Promise<'MARKED' | 'NOT_MARKED'> {
  const request = markFailedRequest(parts);
  request.ConditionExpression = `(${request.ConditionExpression}) AND (${NET_EXTRA_CONDITION})`;
  try {
    await callAws('DynamoDB', () => dynamo.send(new UpdateCommand(request)));
    return 'MARKED';
  } catch (error) {
    if (isConditionalCheckFailed(error)) return 'NOT_MARKED';
    throw error;
  }
}
