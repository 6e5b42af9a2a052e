/** Readable reasons for ClaimImage's decision, from the item before (PROCESS) or after (SKIP) the claim. */
import { sequencerKey } from '../shared/sequencer';
import type { ImageItem, ImageRef } from '../shared/types';

type StoredItem = Partial<ImageItem>;

/** Why this event may process the image, given the item the claim replaced (undefined: none). */
export function processReason(previous: StoredItem | undefined, image: ImageRef, executionId: string): string {
  if (!previous) return `first event for ${image.imageId} (sequencer ${image.sequencer})`;
  const mine = sequencerKey(image.sequencer);
  if (previous.sequencerKey === undefined || previous.sequencerKey < mine) {
    return (
      `newer version (sequencer ${image.sequencer}) replaces ${previous.sequencer ?? 'an unknown version'} (was ` +
      `${previous.status ?? 'unknown'})`
    );
  }
  if (previous.status === 'PROCESSING' && previous.executionId === executionId) {
    return 'this execution already holds the claim (ClaimImage was retried)';
  }
  if (previous.status === 'PROCESSING') {
    return previous.executionId === undefined || previous.updatedAt === undefined
      ? 'takes over an unfinished claim'
      : `takes over the claim of ${previous.executionId}, abandoned since ${previous.updatedAt}`;
  }
  const why = previous.statusReason ? ` (${previous.statusReason})` : '';
  return `replay of sequencer ${image.sequencer}: the last attempt was ${previous.status ?? 'unknown'}${why}`;
}

/**
 * Why this event must SKIP, given the item that made the condition false (read after the failure).
 * `sameExecution` covers a retried claim racing itself, which the condition would have allowed.
 */
export function skipReason(
  stored: StoredItem | undefined,
  image: ImageRef,
  options: { executionId: string; claimTimeoutSeconds: number },
): string {
  if (!stored) return `the item of ${image.imageId} changed during the claim (it is gone now); not processing this event twice`;
  const mine = sequencerKey(image.sequencer);
  if (stored.sequencerKey === undefined) {
    return `the item of ${image.imageId} has no sequencerKey, so its version cannot be compared; not overwriting it`;
  }
  if (stored.sequencerKey > mine) {
    return (
      `a newer version owns the key: stored sequencer ${stored.sequencer} (${stored.status}) is newer than this event's ` +
      `${image.sequencer}`
    );
  }
  if (stored.sequencerKey === mine && stored.status === 'SUCCEEDED') {
    const when = stored.completedAt ? ` at ${stored.completedAt}` : '';
    return `already SUCCEEDED for this version (sequencer ${image.sequencer})${when} by ${stored.executionId ?? 'another execution'}`;
  }
  if (stored.sequencerKey === mine && stored.status === 'PROCESSING' && stored.executionId !== options.executionId) {
    return (
      `another execution (${stored.executionId}) is processing it since ${stored.updatedAt}; its claim can be taken over ` +
      `${options.claimTimeoutSeconds} s after that`
    );
  }
  return (
    `the item of ${image.imageId} changed during the claim (now ${stored.status} for sequencer ` +
    `${stored.sequencer}); not processing this event twice`
  );
}
