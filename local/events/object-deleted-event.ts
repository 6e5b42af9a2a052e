/**
 * Builds the EventBridge "Object Deleted" event AWS S3 would send for an object deleted in the local
 * store (an unversioned bucket: "Permanently Deleted", no version-id), the key RAW and the sequencer
 * the store gave the delete at its commit point, after every write of that key before it.
 */
import { randomUUID } from 'node:crypto';
import type { S3ObjectDeletedEvent } from '../../api/deleted/clean-up-deleted';
import type { DeletedObject } from '../s3/s3-server';
import { LOCAL_ACCOUNT } from '../local-account';

export function objectDeletedEvent(object: DeletedObject, region: string): S3ObjectDeletedEvent {
  const event = {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Object Deleted' as const,
    source: 'aws.s3' as const,
    account: LOCAL_ACCOUNT,
    time: new Date(object.eventTime).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region,
    resources: [`arn:aws:s3:::${object.bucket}`],
    detail: {
      version: '0',
      bucket: { name: object.bucket },
      object: { key: object.key, sequencer: object.sequencer },
      'request-id': randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase(),
      requester: LOCAL_ACCOUNT,
      'source-ip-address': object.sourceIp ?? '127.0.0.1',
      // DeleteObjects is reported one object at a time with the same reason, as S3 does.
      reason: 'DeleteObject',
      'deletion-type': 'Permanently Deleted',
    },
  };
  return event;
}
