/** Lambda entry point of the backfill's PrepareBackfillItem state: reads the object's item and decides (backfill-decision.ts). */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { lambdaDeps, type TaskDeps } from '../shared/aws-clients';
import { callAws } from '../shared/errors';
import { imageKey } from '../shared/image-table';
import type { ImageItem } from '../shared/types';
import { type BackfillDecision, type BackfillItemInput, decideBackfill } from './backfill-decision';

/** The task, given its configuration and clients (the local backfill calls it with its own). */
export async function run(input: BackfillItemInput, { config, clients }: TaskDeps): Promise<BackfillDecision> {
  // The pipeline would refuse it anyway (InvalidEventError): a prefix outside the uploads is not an upload.
  if (!input.key.startsWith(config.uploadPrefix)) {
    return { decision: 'SKIP', reason: `outside the upload prefix ${config.uploadPrefix}` };
  }
  const imageId = `${input.bucket}/${input.key}`;
  // Strongly consistent: an upload analysed a moment ago must count as current.
  const { Item } = await callAws('DynamoDB', () =>
    clients.dynamo.send(
      new GetCommand({
        TableName: config.tableName,
        Key: imageKey(imageId),
        ConsistentRead: true,
        ProjectionExpression: 'etag, #sequencer, #status, uploadedAt',
        ExpressionAttributeNames: { '#sequencer': 'sequencer', '#status': 'status' },
      }),
    ),
  );
  return decideBackfill(input, Item as Partial<ImageItem> as ImageItem | undefined);
}

/** Lambda entry point: region and account come from the function's environment. */
export const handler = (input: BackfillItemInput): Promise<BackfillDecision> =>
  run({ ...input, region: input.region ?? process.env.AWS_REGION }, lambdaDeps());
