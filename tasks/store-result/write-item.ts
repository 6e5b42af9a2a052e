/** Writes the built item, only while this object version still owns it (else: SUPERSEDED). */
import { UpdateCommand, type DynamoDBDocumentClient, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { callAws } from '../shared/errors';
import { RESULT_ATTRIBUTES, buildUpdate, imageKey, isConditionalCheckFailed } from '../shared/image-table';
import type { ImageItem } from '../shared/types';

/**
 * Stored only if the item still holds this version (or is gone): a newer upload's claim changed
 * `sequencerKey`, and an older result must never overwrite a newer one. Same event stored twice
 * writes the same values into the same single item.
 */
export const STORE_CONDITION = 'attribute_not_exists(#imageId) OR #sequencerKey = :ifSequencerKey';

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

export async function writeItem(dynamo: DynamoDBDocumentClient, tableName: string, item: ImageItem): Promise<'STORED' | 'SUPERSEDED'> {
  try {
    await callAws('DynamoDB', () => dynamo.send(new UpdateCommand(storeRequest(tableName, item))));
    return 'STORED';
  } catch (error) {
    if (isConditionalCheckFailed(error)) return 'SUPERSEDED';
    throw error;
  }
}
