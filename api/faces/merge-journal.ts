/**
 * The journal of a people merge: one `#merge/<from>` item in the images table, written before any face
 * moves and deleted last, so a merge that fails part-way (between a batch's DisassociateFaces and
 * AssociateFaces its faces belong to nobody) can be found and finished by repeating it.
 */
import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { callAws } from '../../tasks/shared/errors';
import { imageKey } from '../../tasks/shared/image-table';

/** Like `#person/`, a reserved `#` entry: image scans and listings skip it (tasks/shared/image-scan.ts). */
export const MERGE_ENTRY_PREFIX = '#merge/';

export interface MergeJournal {
  from: string;
  into: string;
  /** Every face to move (at most 100: a user holds no more), 100 x 36 characters, far below the 400 KB item limit. */
  faceIds: string[];
  /** `from`'s name when the merge began: its `#person/` entry is deleted before the journal is. */
  fromName?: string;
}

export async function readMergeJournal(dynamo: DynamoDBDocumentClient, tableName: string, from: string): Promise<MergeJournal | undefined> {
  const output = await callAws('DynamoDB', () =>
    dynamo.send(new GetCommand({ TableName: tableName, Key: imageKey(`${MERGE_ENTRY_PREFIX}${from}`), ConsistentRead: true })),
  );
  const item = output?.Item;
  if (!item || typeof item.into !== 'string' || !Array.isArray(item.faceIds)) return undefined;
  const journal: MergeJournal = { from, into: item.into, faceIds: item.faceIds as string[] };
  return typeof item.fromName === 'string' ? { ...journal, fromName: item.fromName } : journal;
}

/**
 * Writes the journal unless one exists for `from` already (two merges of the same person racing):
 * false then, and the caller reads the one that won.
 */
export async function startMergeJournal(dynamo: DynamoDBDocumentClient, tableName: string, journal: MergeJournal): Promise<boolean> {
  try {
    await callAws('DynamoDB', () =>
      dynamo.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...imageKey(`${MERGE_ENTRY_PREFIX}${journal.from}`), ...journal, startedAt: new Date().toISOString() },
          ConditionExpression: 'attribute_not_exists(imageId)',
        }),
      ),
    );
    return true;
  } catch (error) {
    if ((error as { name?: string }).name === 'DynamoDB.ConditionalCheckFailedException') return false;
    throw error;
  }
}

export async function deleteMergeJournal(dynamo: DynamoDBDocumentClient, tableName: string, from: string): Promise<void> {
  await callAws('DynamoDB', () => dynamo.send(new DeleteCommand({ TableName: tableName, Key: imageKey(`${MERGE_ENTRY_PREFIX}${from}`) })));
}
