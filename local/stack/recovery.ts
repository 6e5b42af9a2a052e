/**
 * After a crash or a stop in the middle of a batch, nothing is lost: executions recorded as RUNNING
 * are run again under their own names (their DynamoDB claim is theirs, so ClaimImage lets them
 * through), uploads that have no final result and no execution (the crash came between the upload and
 * its event) get a new execution with the event S3 would have sent, and items left PROCESSING by an
 * execution that is over (or whose object is gone) are settled, and items whose object was deleted while
 * the stack was stopped (no store was running to send "Object Deleted") get that delete's clean-up.
 *
 * Recovery first reads everything it needs and decides (planRecovery), and only then acts
 * (runRecovery): a read that fails fails the start before any work began, so a failed start never
 * leaves executions running against a stack that is being closed.
 */
import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { ExecutionRunner } from '../engine/execution-runner';
import type { ExecutionRecord, ExecutionStore } from '../engine/execution-store';
import { objectCreatedEvent } from '../events/object-created-event';
import type { CreatedObject } from '../s3/s3-server';
import type { ImageItem, S3ObjectCreatedEvent } from '../../tasks/shared/types';
import type { TaskDeps } from '../../tasks/shared/aws-clients';
import { allImages } from '../../tasks/shared/image-scan';
import { deletedWhileStopped, type DeletedImage } from './deleted-while-stopped';
import { settleMissingObject } from './settle-missing-object';
import type { UploadHandoff } from './upload-handoff';

export interface RecoveryReport {
  /** Executions found RUNNING and run again. */
  resumed: number;
  /** Uploads without a result or an execution, started now. */
  started: number;
  /** PROCESSING items whose execution was over or whose object was gone, settled (FAILED with the reason). */
  settled: number;
  /** Items whose object was deleted while the stack was stopped, cleaned up as an "Object Deleted" event would have. */
  cleanedUp: number;
}

export interface RecoveryOptions {
  runner: ExecutionRunner;
  store: ExecutionStore;
  s3: S3Client;
  dynamodb: DynamoDBClient;
  bucket: string;
  uploadPrefix: string;
  tableName: string;
  region: string;
  /** The current version of an object (with the sequencer its commit got), read in-process. */
  describeObject(bucket: string, key: string): Promise<Omit<CreatedObject, 'reason' | 'sourceIp'> | undefined>;
  /** Uploads made while the stack starts: recovery starts only the versions the router does not hold. */
  handoff?: UploadHandoff;
  /** The stack's task configuration and clients: settling a missing object writes as RecordFailure does. */
  tasks: TaskDeps;
  /** Also list the uploads and start those without a final item. @default true */
  listUploads?: boolean;
}

export interface RecoveryPlan {
  resume: ExecutionRecord[];
  /** New executions: the upload event, and the name to run it under (a dead owner's, so its claim is its own). */
  start: { event: S3ObjectCreatedEvent; name?: string }[];
  /** Ended executions whose status change is delivered again to the execution-status net. */
  replayEnding: ExecutionRecord[];
  /** PROCESSING items whose object no longer exists. */
  missing: ImageItem[];
  /** Final items whose object no longer exists: deleted while the stack was stopped. */
  deleted: DeletedImage[];
}

const FINAL_STATUSES = new Set(['SUCCEEDED', 'PARTIAL', 'FAILED']);

/** Reads and decides; starts nothing and writes nothing. */
export async function planRecovery(options: RecoveryOptions): Promise<RecoveryPlan> {
  // The index lists them; only their own record files are read, for the input to run again.
  const running = (await options.store.list({ statuses: ['RUNNING'] }))
    .map((summary) => options.store.get(summary.name))
    .filter((record): record is ExecutionRecord => record !== undefined);
  const plan: RecoveryPlan = { resume: running, start: [], replayEnding: [], missing: [], deleted: [] };
  const handled = new Set(running.map((record) => record.imageId));

  // Items left PROCESSING: a local table is small, so a scan is cheap and finds them even when their
  // object is gone (a listing cannot).
  for (const item of await processingItems(options)) {
    if (handled.has(item.imageId) || item.bucket !== options.bucket) continue;
    // The execution that claimed it: its name is the last part of its ARN; one record file read.
    const owner = item.executionId ? options.store.get(item.executionId.split(':').pop()!) : undefined;
    if (owner?.status === 'RUNNING') continue;
    const object = await options.describeObject(item.bucket, item.key);
    if (!object) {
      plan.missing.push(item);
      handled.add(item.imageId);
    } else if (object.sequencer === item.sequencer && owner && owner.status !== 'SUCCEEDED') {
      // Its execution ended FAILED, TIMED_OUT or ABORTED and the net never recorded it (the process
      // stopped in between, or the net's own calls failed): settle it as the net would have.
      plan.replayEnding.push(owner);
      handled.add(item.imageId);
    } else if (object.sequencer === item.sequencer && item.executionId) {
      // Its execution's record is gone (or claims success): run the upload again under that
      // execution's name, whose claim ClaimImage lets through.
      if (options.handoff && !options.handoff.claimForRecovery(object.bucket, object.key, object.sequencer!)) continue;
      plan.start.push({
        event: objectCreatedEvent({ ...object, reason: 'PutObject' }, options.region),
        name: item.executionId.split(':').pop(),
      });
      handled.add(item.imageId);
    }
    // Otherwise a newer version is stored: the object pass below (or its held event) runs that one.
  }

  // Final items whose object is gone: deleted while no store was running to say so. A RUNNING execution of
  // the key (resumed above) settles its own item, so those are left to it.
  for (const image of await deletedWhileStopped(options)) {
    if (handled.has(image.imageId)) continue;
    plan.deleted.push(image);
    handled.add(image.imageId);
  }

  if (options.listUploads === false) return plan;
  for await (const page of paginateListObjectsV2({ client: options.s3 }, { Bucket: options.bucket, Prefix: options.uploadPrefix })) {
    for (const listed of page.Contents ?? []) {
      // Folder markers (`uploads/x/`) never get an item: ClaimImage skips them, so do not restart them.
      if (listed.Key === undefined || listed.Key.endsWith('/')) continue;
      const imageId = `${options.bucket}/${listed.Key}`;
      if (handled.has(imageId)) continue;
      // The version as committed, with its real sequencer: the one its own event carries, so the
      // router and recovery name the same version the same way (and ClaimImage orders them right).
      const object = await options.describeObject(options.bucket, listed.Key);
      if (!object?.sequencer) continue; // deleted since the listing
      const { Item } = await options.dynamodb.send(
        new GetItemCommand({ TableName: options.tableName, Key: { imageId: { S: imageId } }, ConsistentRead: true }),
      );
      const item = Item ? (unmarshall(Item) as ImageItem) : undefined;
      // Final for this version, or for the same bytes (objects imported from s3rver got new sequencers).
      if (item && FINAL_STATUSES.has(String(item.status)) && (item.sequencer === object.sequencer || item.etag === object.etag)) continue;
      if (options.handoff && !options.handoff.claimForRecovery(object.bucket, object.key, object.sequencer)) continue;
      plan.start.push({ event: objectCreatedEvent({ ...object, reason: 'PutObject' }, options.region) });
    }
  }
  return plan;
}

/** Acts on a plan: settles what is over, then resumes and starts executions. One item's failure to settle is reported, not fatal. */
export async function runRecovery(plan: RecoveryPlan, options: Pick<RecoveryOptions, 'runner' | 'tasks'>): Promise<RecoveryReport> {
  let settled = 0;
  let cleanedUp = 0;
  // Before any execution starts: an upload of the same key held during the start must find the old item gone,
  // not be cleaned up with it (the clean-up keeps an item that describes a newer write, clean-up-deleted.ts).
  for (const image of plan.deleted) {
    try {
      if ((await image.cleanUp(options.tasks)) === 'CLEANED_UP') cleanedUp += 1;
    } catch (error) {
      process.stderr.write(`picflow: could not clean up ${image.imageId} (its object was deleted): ${(error as Error).message}\n`);
    }
  }
  for (const item of plan.missing) {
    try {
      if ((await settleMissingObject(item, options.tasks)) === 'MARKED') settled += 1;
    } catch (error) {
      process.stderr.write(`picflow: could not settle ${item.imageId} (its object is gone): ${(error as Error).message}\n`);
    }
  }
  for (const record of plan.replayEnding) {
    if (await options.runner.replayStatusChange(record)) settled += 1;
  }
  for (const record of plan.resume) void options.runner.resume(record);
  for (const { event, name } of plan.start) void options.runner.start(event, name);
  return { resumed: plan.resume.length, started: plan.start.length, settled, cleanedUp };
}

function processingItems(options: RecoveryOptions): Promise<ImageItem[]> {
  const processing = {
    expression: '#status = :processing',
    names: { '#status': 'status' },
    values: { ':processing': { S: 'PROCESSING' } },
  };
  return allImages(options.dynamodb, options.tableName, { filter: processing, consistentRead: true });
}
