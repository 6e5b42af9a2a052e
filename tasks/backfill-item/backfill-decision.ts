/** Decides, for one listed object, whether the backfill starts the image pipeline for it, and with which event. */
import type { ImageItem, S3ObjectCreatedEvent } from '../shared/types';
import { bumpedSequencer, FIRST_BACKFILL_SEQUENCER } from './backfill-sequencer';

/** One object as the Map's ItemSelector hands it over (from S3 ListObjectsV2). */
export interface BackfillItemInput {
  bucket: string;
  key: string;
  /** As ListObjectsV2 gives it: with its double quotes. */
  etag: string;
  size: number;
  /** ISO 8601. */
  lastModified: string;
  /** Analyse again even when the item is current. */
  reanalyse?: boolean;
  region?: string;
  account?: string;
}

export type BackfillDecision = { decision: 'START'; reason: string; event: S3ObjectCreatedEvent } | { decision: 'SKIP'; reason: string };

type StoredItem = Pick<ImageItem, 'etag' | 'sequencer' | 'status' | 'uploadedAt'>;

/**
 * SKIP: a folder marker; an item for the same bytes (same ETag), unless re-analysing; an item for a
 * version at least as new as the listed one (the listing is older than an upload analysed since).
 * START otherwise, with the event EventBridge would deliver and a sequencer that lets ClaimImage order it
 * against real uploads (backfill-sequencer.ts).
 */
export function decideBackfill(input: BackfillItemInput, item: StoredItem | undefined): BackfillDecision {
  const etag = input.etag.replace(/"/g, '');
  if (input.key.endsWith('/')) return { decision: 'SKIP', reason: 'folder marker' };
  if (!item?.sequencer) {
    return { decision: 'START', reason: 'no item yet', event: backfillEvent(input, etag, FIRST_BACKFILL_SEQUENCER) };
  }
  if (item.etag === etag) {
    if (!input.reanalyse) return { decision: 'SKIP', reason: `current item (same ETag, ${item.status})` };
    return {
      decision: 'START',
      reason: `re-analysis (was ${item.status})`,
      event: backfillEvent(input, etag, bumpedSequencer(item.sequencer)),
    };
  }
  // Another ETag: either the item is of an older version (written while nothing listened), or the
  // listing is stale and a newer upload has been analysed since. Their times tell which.
  // Whole seconds: event times have no milliseconds, and in a tie the analysed item is kept.
  if (item.uploadedAt && seconds(item.uploadedAt) >= seconds(input.lastModified)) {
    return { decision: 'SKIP', reason: `the item describes a version at least as new (${item.uploadedAt})` };
  }
  return {
    decision: 'START',
    reason: `the item describes an older version (${item.etag})`,
    event: backfillEvent(input, etag, bumpedSequencer(item.sequencer)),
  };
}

/** The "Object Created" event as EventBridge delivers it (raw key), marked as the backfill's by its reason. */
export function backfillEvent(input: BackfillItemInput, etag: string, sequencer: string): S3ObjectCreatedEvent {
  const account = input.account ?? '000000000000';
  return {
    version: '0',
    id: `backfill-${sequencer}-${etag}`.slice(0, 64),
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account,
    time: new Date(input.lastModified).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: input.region ?? 'local',
    resources: [`arn:aws:s3:::${input.bucket}`],
    detail: {
      version: '0',
      bucket: { name: input.bucket },
      object: { key: input.key, size: input.size, etag, sequencer },
      'request-id': 'backfill',
      requester: account,
      reason: 'Backfill',
    },
  };
}

function seconds(iso: string): number {
  return Math.floor(Date.parse(iso) / 1000);
}
