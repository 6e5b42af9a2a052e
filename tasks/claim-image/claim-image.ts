/** ClaimImage: read the event and take the image's item in DynamoDB, or say why this event must SKIP. */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { TaskDeps } from '../shared/aws-clients';
import { callAws } from '../shared/errors';
import { imageKey, isConditionalCheckFailed } from '../shared/image-table';
import { clearLabelEntries } from '../shared/label-index';
import { sequencerKey } from '../shared/sequencer';
import { isFolderKey, parseS3Event } from '../shared/s3-event';
import type { ClaimResult, ExecutionInput, ImageItem } from '../shared/types';
import { claimRequest } from './claim-request';
import { processReason, skipReason } from './claim-reasons';

export async function claimImage(input: ExecutionInput, { config, clients }: TaskDeps, now: Date = new Date()): Promise<ClaimResult> {
  // Throws InvalidEventError (caught by the definition, recorded as a failure) for a foreign event.
  const image = parseS3Event(input?.event, config);
  // A folder marker (zero-byte `uploads/x/` from the console's "Create folder") is not an upload:
  // skip it before touching the table, so it leaves no item, no dead letter and no alarm.
  if (isFolderKey(image.key)) {
    return { image, decision: 'SKIP', reason: `${image.key} is a folder marker (its key ends with "/"), not an image` };
  }
  const request = claimRequest({
    tableName: config.tableName,
    image,
    executionId: input.executionId,
    startedAt: input.startedAt,
    analyzer: config.analyzerName,
    claimTimeoutSeconds: config.claimTimeoutSeconds,
    now,
  });
  try {
    // callAws renames throttling to DynamoDB.ThrottlingException, which the definition retries.
    const output = await callAws('DynamoDB', () => clients.dynamo.send(new UpdateCommand(request)));
    // The claim removed the previous attempt's labels from the item: their label entries go too (label-index.ts).
    const previous = output.Attributes as Partial<ImageItem> | undefined;
    await clearLabelEntries(
      clients.dynamo,
      config.tableName,
      { imageId: image.imageId, sequencerKey: sequencerKey(image.sequencer) },
      previous?.labelIndex ?? [],
    );
    return {
      image,
      decision: 'PROCESS',
      reason: processReason(output.Attributes as Partial<ImageItem> | undefined, image, input.executionId),
    };
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
  }
  // The condition said no; read the item (strongly consistent: it was just written) to say why.
  const stored = await callAws('DynamoDB', () =>
    clients.dynamo.send(new GetCommand({ TableName: config.tableName, Key: imageKey(image.imageId), ConsistentRead: true })),
  );
  return {
    image,
    decision: 'SKIP',
    reason: skipReason(stored.Item as Partial<ImageItem> | undefined, image, {
      executionId: input.executionId,
      claimTimeoutSeconds: config.claimTimeoutSeconds,
    }),
  };
}
