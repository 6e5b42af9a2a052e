/**
 * Finds the images whose object was deleted while the stack was stopped (the S3 store opened by another
 * process, or a data directory whose S3 part changed): their items still say SUCCEEDED, PARTIAL or FAILED,
 * but no "Object Deleted" event was ever sent for them. Each gets the clean-up that event would have run
 * (api/deleted), with a delete event that sits just after the write the item describes.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { CleanUpOutcome, S3ObjectDeletedEvent } from '../../api/deleted/clean-up-deleted';
import type { TaskDeps } from '../../tasks/shared/aws-clients';
import { allImages } from '../../tasks/shared/image-scan';
import { SEQUENCER_KEY_WIDTH } from '../../tasks/shared/sequencer';
import type { ImageItem } from '../../tasks/shared/types';
import type { CreatedObject } from '../s3/s3-server';

export interface DeletedImage {
  imageId: string;
  /** The "Object Deleted" event S3 would have sent. */
  event: S3ObjectDeletedEvent;
  /** Runs api/deleted's clean-up on it with the stack's task deps. */
  cleanUp(tasks: TaskDeps): Promise<CleanUpOutcome>;
}

type CleanUpRun = (event: S3ObjectDeletedEvent, deps: TaskDeps) => Promise<{ outcome: CleanUpOutcome }>;

/** Reads only: the final items of `bucket` whose key has no current object in the store. */
export async function deletedWhileStopped(options: {
  dynamodb: DynamoDBClient;
  tableName: string;
  bucket: string;
  describeObject(bucket: string, key: string): Promise<Omit<CreatedObject, 'reason' | 'sourceIp'> | undefined>;
}): Promise<DeletedImage[]> {
  const final = {
    expression: '#status IN (:succeeded, :partial, :failed)',
    names: { '#status': 'status' },
    values: { ':succeeded': { S: 'SUCCEEDED' }, ':partial': { S: 'PARTIAL' }, ':failed': { S: 'FAILED' } },
  };
  const deleted: DeletedImage[] = [];
  for (const item of await allImages(options.dynamodb, options.tableName, { filter: final, consistentRead: true })) {
    if (item.bucket !== options.bucket || !item.sequencerKey) continue;
    // The key as S3 names it (the item's id), not the item's display key.
    const key = item.imageId.slice(item.bucket.length + 1);
    // Any current object keeps the item: the same write, or a newer one (an imported object with a new
    // sequencer, an upload made during this start) whose own execution replaces it.
    if (await options.describeObject(item.bucket, key)) continue;
    const event = deletedEvent(item, key);
    deleted.push({ imageId: item.imageId, event, cleanUp: async (tasks) => (await cleanUpRun()(event, tasks)).outcome });
  }
  return deleted;
}

/**
 * When the delete really happened is unknown, only that it came after the write the item describes: its
 * sequencer is that write's plus one. Then the clean-up removes this item, and still keeps one that a newer
 * upload of the key writes meanwhile (every later write has a larger sequencer).
 */
export function deletedEvent(item: Pick<ImageItem, 'bucket' | 'sequencerKey'>, key: string): S3ObjectDeletedEvent {
  const next = (BigInt(`0x${item.sequencerKey}`) + 1n).toString(16).toUpperCase().padStart(SEQUENCER_KEY_WIDTH, '0');
  return {
    'detail-type': 'Object Deleted',
    source: 'aws.s3',
    time: new Date().toISOString(),
    detail: {
      bucket: { name: item.bucket },
      object: { key, sequencer: next },
      'deletion-type': 'Permanently Deleted',
      reason: 'DeleteObject',
    },
  };
}

// Required when first used, as deleted-clean-up.ts does: the handler's logger reads the log level the stack sets when it loads.
function cleanUpRun(): CleanUpRun {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('../../api/deleted/handler') as { run: CleanUpRun }).run;
}
