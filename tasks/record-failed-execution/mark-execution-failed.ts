/**
 * Marks the image's item FAILED for an execution that ended badly, only where RecordFailure's rules allow it and no result would be lost.
 */
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { callAws } from '../shared/errors';
import { isConditionalCheckFailed } from '../shared/image-table';
import { markFailedRequest, type MarkFailedParts } from '../record-failure/mark-failed';

/**
 * RecordFailure's condition (this version AND ours / already FAILED / abandoned), and on top of it:
 * never over a SUCCEEDED or PARTIAL result (an aborted execution's last Lambda can still finish after the
 * abort, and its result is worth more than a "the execution was aborted" failure), and never a new item.
 * ClaimImage, the first state, makes the item: an execution that ends with none either never got that far
 * (next to impossible; its dead letter still records it) or its image was deleted meanwhile (the API's
 * DELETE, or the clean-up after a delete in S3), and a FAILED item would bring a deleted image back.
 */
export const NET_EXTRA_CONDITION = 'attribute_exists(#imageId) AND #status IN (:ifProcessing, :ifFailed)';

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
