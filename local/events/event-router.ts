/**
 * The local stand-in for EventBridge: every object created or deleted in the local store becomes the
 * event AWS would send, is matched against the same rule patterns infra/ deploys (statemachines/trigger.ts),
 * and goes to the rule's target when it matches: an execution for an upload, the clean-up
 * (api/deleted) for a deleted upload. Derived objects (thumbnails, analysis JSON) match neither.
 */
import type { S3ObjectDeletedEvent } from '../../api/deleted/clean-up-deleted';
import type { S3ObjectCreatedEvent } from '../../tasks/shared/types';
import { uploadDeletedEventPattern, uploadEventPattern } from '../../statemachines/trigger';
import type { CreatedObject, DeletedObject, S3Server } from '../s3/s3-server';
import { matchesPattern } from './event-pattern';
import { objectCreatedEvent } from './object-created-event';
import { objectDeletedEvent } from './object-deleted-event';

export interface EventRouterOptions {
  bucket: string;
  uploadPrefix: string;
  region: string;
  /** Starts one execution for a matching event (the rule's target). */
  startExecution: (event: S3ObjectCreatedEvent) => void;
  /** Cleans up after a deleted upload (the "Object Deleted" rule's target). */
  cleanUpDeleted: (event: S3ObjectDeletedEvent) => void;
}

export function routeObjectEvents(s3: S3Server, options: EventRouterOptions): void {
  const created = uploadEventPattern(options.bucket, options.uploadPrefix);
  s3.onObjectCreated((object: CreatedObject) => {
    const event = objectCreatedEvent(object, options.region);
    if (matchesPattern(event, created)) options.startExecution(event);
  });
  const deleted = uploadDeletedEventPattern(options.bucket, options.uploadPrefix);
  s3.onObjectDeleted((object: DeletedObject) => {
    const event = objectDeletedEvent(object, options.region);
    if (matchesPattern(event, deleted)) options.cleanUpDeleted(event);
  });
}
