/**
 * The local stand-in for EventBridge: every object created in the local store becomes the event AWS
 * would send, is matched against the same rule pattern infra/ deploys (statemachines/trigger.ts), and
 * starts an execution when it matches. Derived objects (thumbnails, analysis JSON) do not match.
 */
import type { S3ObjectCreatedEvent } from '../../tasks/shared/types';
import { uploadEventPattern } from '../../statemachines/trigger';
import type { CreatedObject, S3Server } from '../s3/s3-server';
import { matchesPattern } from './event-pattern';
import { objectCreatedEvent } from './object-created-event';

export interface EventRouterOptions {
  bucket: string;
  uploadPrefix: string;
  region: string;
  /** Starts one execution for a matching event (the rule's target). */
  startExecution: (event: S3ObjectCreatedEvent) => void;
}

export function routeObjectEvents(s3: S3Server, options: EventRouterOptions): void {
  const pattern = uploadEventPattern(options.bucket, options.uploadPrefix);
  s3.onObjectCreated((object: CreatedObject) => {
    const event = objectCreatedEvent(object, options.region);
    if (matchesPattern(event, pattern)) options.startExecution(event);
  });
}
