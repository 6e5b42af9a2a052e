/** Writes the built item, only while this object version still owns it (else: SUPERSEDED, or DELETED when the item is gone). */
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { callAws } from '../shared/errors';
import { RESULT_ATTRIBUTES, buildUpdate, imageKey, isConditionalCheckFailed } from '../shared/image-table';
import type { ImageItem } from '../shared/types';

/**
 * Stored only if the item still holds this version: a newer upload's claim changed `sequencerKey`, and an
 * older result must never overwrite a newer one. The item must exist: this execution's claim wrote it, so a
 * missing item was deleted (DELETE /images, or the clean-up after a delete in S3) while the analysis ran, and
 * storing would bring the image back. Same event stored twice writes the same values into the same single item.
 */
export const STORE_CONDITION = 'attribute_exists(#imageId) AND #sequencerKey = :ifSequencerKey';

export function storeRequest(tableName: string, item: ImageItem): UpdateCommandInput {
  // An update rather than a Put: the item keeps createdAt from its first claim.
  const { imageId, createdAt, ...attributes } = item;
  const update = buildUpdate({
    set: attributes,
    setIfNotExists: { createdAt },
    // Result attributes this attempt did not produce (a failed branch's faces, an old failure) go.
    remove: RESULT_ATTRIBUTES,
  });
  return {
    TableName: tableName,
    Key: imageKey(imageId),
    ...update,
    ConditionExpression: STORE_CONDITION,
    ExpressionAttributeNames: { ...update.ExpressionAttributeNames, '#imageId': 'imageId' },
    ExpressionAttributeValues: { ...update.ExpressionAttributeValues, ':ifSequencerKey': item.sequencerKey },
  };
}

export type WriteOutcome = 'STORED' | 'SUPERSEDED' | 'DELETED';

export async function writeItem(dynamo: DynamoDBDocumentClient, tableName: string, item: ImageItem): Promise<WriteOutcome> {
  try {
    await callAws('DynamoDB', () => dynamo.send(new UpdateCommand(storeRequest(tableName, item))));
    return 'STORED';
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
  }
  // The condition said no: another version's item, or none at all (read strongly: the delete has just happened).
  const { Item } = await callAws('DynamoDB', () =>
    dynamo.send(new GetCommand({ TableName: tableName, Key: imageKey(item.imageId), ConsistentRead: true })),
  );
  return Item ? 'SUPERSEDED' : 'DELETED';
}
