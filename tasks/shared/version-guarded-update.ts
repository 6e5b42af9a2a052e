/**
 * One UpdateItem on an image's item that applies only while the item still holds this execution's version
 * (its `sequencerKey`): the guard every write after the claim needs, so a newer version's execution owns its item.
 */
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { callAws } from './errors';
import { imageKey, isConditionalCheckFailed } from './image-table';
import type { ImageItem } from './types';

export interface GuardedUpdate {
  /** The UpdateExpression; its own names and values go in `names` and `values`. */
  expression: string;
  names?: Record<string, string>;
  values?: Record<string, unknown>;
  /** Return the item as written (ALL_NEW), e.g. to read a set under the same condition in one request. */
  returnItem?: boolean;
}

/** The item after the update (empty unless `returnItem`), or undefined when another version (or no item) holds it. */
export async function updateWhileVersion(
  dynamo: DynamoDBDocumentClient,
  tableName: string,
  image: Pick<ImageItem, 'imageId' | 'sequencerKey'>,
  update: GuardedUpdate,
): Promise<Record<string, unknown> | undefined> {
  try {
    const output = await callAws('DynamoDB', () =>
      dynamo.send(
        new UpdateCommand({
          TableName: tableName,
          Key: imageKey(image.imageId),
          UpdateExpression: update.expression,
          ConditionExpression: '#sequencerKey = :ifSequencerKey',
          ExpressionAttributeNames: { ...update.names, '#sequencerKey': 'sequencerKey' },
          ExpressionAttributeValues: { ...update.values, ':ifSequencerKey': image.sequencerKey },
          ...(update.returnItem ? { ReturnValues: 'ALL_NEW' as const } : {}),
        }),
      ),
    );
    return output?.Attributes ?? {};
  } catch (error) {
    if (isConditionalCheckFailed(error)) return undefined;
    throw error;
  }
}
