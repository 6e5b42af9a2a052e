/**
 * The net under the net: for an execution that ended FAILED, TIMED_OUT or ABORTED without the
 * definition recording it, mark the image's item FAILED with a reason that says what happened and send
 * the dead-letter message the SendToDeadLetterQueue state would have sent. Idempotent with RecordFailure
 * and with itself (EventBridge delivers at least once).
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { UNSUCCESSFUL_EXECUTION_STATUSES } from '../../statemachines/status-change';
import type { TaskClients } from '../shared/aws-clients';
import { ConfigError, type PicflowConfig } from '../shared/config';
import { buildDeadLetter, type FailureEntry } from '../../dead-letters/build';
import { callAws } from '../shared/errors';
import { imageKey } from '../shared/image-table';
import { parseS3Event } from '../shared/s3-event';
import { sequencerKey } from '../shared/sequencer';
import type { DeadLetterMessage, ExecutionStatusChangeEvent, ImageItem, ImageRef, S3ObjectCreatedEvent } from '../shared/types';
import { describeEnding, EXECUTION_STATE } from './describe-ending';
import { executionInput } from './execution-input';
import { markExecutionFailed } from './mark-execution-failed';
import { sendDeadLetter } from './send-dead-letter';

/**
 * The Error of the definition's `Failed` state. An execution reaches it only after RecordFailure (or
 * StoreResult) wrote the item and SendToDeadLetterQueue sent the message: nothing is left to record.
 * test/tasks/record-failed-execution checks it against statemachines/image-pipeline.asl.json.
 */
export const DEFINITION_FAIL_ERROR = 'ImageProcessingFailed';

export type NetOutcome =
  | { action: 'SKIPPED'; why: string }
  | {
      action: 'RECORDED';
      /** MARKED; NOT_MARKED when the item belongs to a newer version or another execution; KEPT when it holds this execution's PARTIAL result; NO_IMAGE when the input names none. */
      item: 'MARKED' | 'NOT_MARKED' | 'KEPT' | 'NO_IMAGE';
      deadLetter: DeadLetterMessage;
      messageId?: string;
    };

export async function recordFailedExecution(
  event: ExecutionStatusChangeEvent,
  {
    config,
    clients,
  }: {
    config: Pick<PicflowConfig, 'tableName' | 'uploadPrefix' | 'analyzerName' | 'claimTimeoutSeconds' | 'deadLetterQueueUrl'>;
    clients: Pick<TaskClients, 'dynamo' | 'sqs' | 'sfn'>;
  },
  now: Date = new Date(),
): Promise<NetOutcome> {
  const detail = event.detail;
  if (!(UNSUCCESSFUL_EXECUTION_STATUSES as readonly string[]).includes(detail.status)) {
    return { action: 'SKIPPED', why: `status ${detail.status} is not an unsuccessful end` };
  }
  if (detail.status === 'FAILED' && detail.error === DEFINITION_FAIL_ERROR) {
    return { action: 'SKIPPED', why: 'the definition recorded this failure itself (item written, dead letter sent, then its Fail state)' };
  }
  if (!config.deadLetterQueueUrl) throw new ConfigError('DEAD_LETTER_QUEUE_URL is not set');

  const input = await executionInput(clients.sfn, detail);
  const image = imageFrom(input, config);
  const item = image ? await readItem(clients.dynamo, config.tableName, image.imageId) : undefined;
  if (item && recordedByNet(item, detail)) {
    return { action: 'SKIPPED', why: 'this status change was already recorded (a repeated delivery)' };
  }
  // What the definition wrote for this same execution and version before the execution ended badly:
  // RecordFailure's FAILED or StoreResult's PARTIAL, when SendToDeadLetterQueue then failed.
  const earlier =
    item && image && item.executionId === detail.executionArn && item.sequencerKey === sequencerKey(image.sequencer) ? item : undefined;
  if (earlier?.status === 'SUCCEEDED') {
    return { action: 'SKIPPED', why: 'the image was fully analysed and stored before the execution ended' };
  }

  const ending = describeEnding(detail);
  const recorded = earlier && earlier.status !== 'PROCESSING' ? earlier : undefined;
  const failures: FailureEntry[] = [...(recorded?.failure ? [recorded.failure] : []), ending.failure];
  const reason = recorded?.statusReason ? `${recorded.statusReason}; ${ending.reason}` : ending.reason;
  const deadLetter = buildDeadLetter({
    event: input as S3ObjectCreatedEvent,
    executionId: detail.executionArn,
    status: recorded?.status === 'PARTIAL' ? 'PARTIAL' : 'FAILED',
    reason,
    failures,
    image,
    failedAt: now,
  });
  // Send first, mark second: the mark is what makes a repeated delivery a no-op, so a crash between
  // the two sends the message twice (harmless: replay is idempotent) rather than never.
  const messageId = await sendDeadLetter(clients.sqs, config.deadLetterQueueUrl, deadLetter);
  if (!image) return { action: 'RECORDED', item: 'NO_IMAGE', deadLetter, messageId };
  if (recorded?.status === 'PARTIAL') return { action: 'RECORDED', item: 'KEPT', deadLetter, messageId };
  const marked = await markExecutionFailed(clients.dynamo, {
    tableName: config.tableName,
    image,
    failure: ending.failure,
    reason: deadLetter.reason,
    executionId: detail.executionArn,
    startedAt: new Date(detail.startDate).toISOString(),
    analyzer: config.analyzerName,
    claimTimeoutSeconds: config.claimTimeoutSeconds,
    now,
  });
  return { action: 'RECORDED', item: marked, deadLetter, messageId };
}

/** The image the execution was about, or undefined when its input is not a readable upload event. */
function imageFrom(input: unknown, config: Pick<PicflowConfig, 'uploadPrefix'>): ImageRef | undefined {
  try {
    return parseS3Event(input, config);
  } catch {
    return undefined;
  }
}

async function readItem(dynamo: TaskClients['dynamo'], tableName: string, imageId: string): Promise<ImageItem | undefined> {
  const { Item } = await callAws('DynamoDB', () =>
    dynamo.send(new GetCommand({ TableName: tableName, Key: imageKey(imageId), ConsistentRead: true })),
  );
  return Item as ImageItem | undefined;
}

/**
 * The net's own mark for this execution, written after this stop: a repeated delivery. A redriven
 * execution keeps its ARN but stops later, so its new failure is recorded again.
 */
function recordedByNet(item: ImageItem, detail: ExecutionStatusChangeEvent['detail']): boolean {
  if (item.executionId !== detail.executionArn || item.status !== 'FAILED' || item.failure?.state !== EXECUTION_STATE) return false;
  return detail.stopDate == null || item.updatedAt >= new Date(detail.stopDate).toISOString();
}
