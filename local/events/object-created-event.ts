/**
 * Builds the EventBridge "Object Created" event AWS S3 would send for an object created in the local
 * store: same fields, the key RAW as EventBridge delivers it (only classic S3 notifications encode
 * keys), and the sequencer the store assigned at its commit point (so events for one key order as
 * its writes committed); a made-up increasing one where the store gave none (recovery).
 */
import { randomUUID } from 'node:crypto';
import type { S3ObjectCreatedEvent } from '../../tasks/shared/types';
import type { CreatedObject } from '../s3/s3-server';
import { LOCAL_ACCOUNT } from '../local-account';

let lastSequence = 0n;

/** A strictly increasing hex sequencer, 16 digits, from the clock in microseconds. */
export function nextSequencer(): string {
  const now = BigInt(Date.now()) * 1000n;
  lastSequence = now > lastSequence ? now : lastSequence + 1n;
  return lastSequence.toString(16).toUpperCase().padStart(16, '0');
}

export function objectCreatedEvent(object: CreatedObject, region: string): S3ObjectCreatedEvent {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: LOCAL_ACCOUNT,
    time: new Date(object.eventTime || Date.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region,
    resources: [`arn:aws:s3:::${object.bucket}`],
    detail: {
      version: '0',
      bucket: { name: object.bucket },
      object: { key: object.key, size: object.size, etag: object.etag, sequencer: object.sequencer ?? nextSequencer() },
      'request-id': randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase(),
      requester: LOCAL_ACCOUNT,
      'source-ip-address': object.sourceIp ?? '127.0.0.1',
      reason: object.reason,
    },
  };
}
