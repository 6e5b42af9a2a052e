// Builds the EventBridge "Object Created" events S3 sends, for tests. Each call returns a fresh object.
import type { S3ObjectCreatedEvent } from '../../tasks/shared/types';

export interface ObjectCreatedOptions {
  bucket?: string;
  /** The object key; EventBridge puts it in the event raw (not URL-encoded). */
  key?: string;
  size?: number;
  etag?: string;
  sequencer?: string;
  versionId?: string;
}

export function objectCreatedEvent(options: ObjectCreatedOptions = {}): S3ObjectCreatedEvent {
  const bucket = options.bucket ?? 'picflow-images';
  return {
    version: '0',
    id: '17793124-05d4-b198-2fde-7ededc63b103',
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: '123456789012',
    time: '2026-11-23T18:00:00Z',
    region: 'us-east-1',
    resources: [`arn:aws:s3:::${bucket}`],
    detail: {
      version: '0',
      bucket: { name: bucket },
      object: {
        key: options.key ?? 'uploads/astronaut.png',
        size: options.size ?? 266_765,
        etag: options.etag ?? 'b1946ac92492d2347c6235b4d2611184',
        ...(options.versionId ? { 'version-id': options.versionId } : {}),
        sequencer: options.sequencer ?? '00617F08299329D189',
      },
      'request-id': 'N4N7GDK58NMKJ12R',
      requester: '123456789012',
      'source-ip-address': '203.0.113.15',
      reason: 'PutObject',
    },
  };
}
