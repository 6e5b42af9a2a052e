/**
 * Hands every upload made while the stack starts to exactly one starter: the event router or start-up
 * recovery, never both. The router is connected as soon as the S3 server listens, but its events are
 * held until recovery has decided; recovery leaves alone the versions the router holds, and the router
 * drops the events of versions recovery has started (an object's commit is visible to a listing a few
 * ticks before its event fires, so such an event can arrive after recovery listed it).
 * A version is `bucket/key` at a commit's sequencer: unique per write, even for the same bytes.
 */
import type { S3ObjectCreatedEvent } from '../../tasks/shared/types';

export class UploadHandoff {
  /** Events held until open(); undefined once open (or dropped). */
  private held: S3ObjectCreatedEvent[] | undefined = [];
  private readonly heldVersions = new Set<string>();
  /** Versions recovery started, whose own events the router must not start again. */
  private readonly recovered = new Set<string>();
  private start: ((event: S3ObjectCreatedEvent) => void) | undefined;

  /** The router's target. */
  route(event: S3ObjectCreatedEvent): void {
    const version = versionOf(event);
    if (this.recovered.delete(version)) return;
    if (this.held) {
      this.held.push(event);
      this.heldVersions.add(version);
    } else {
      this.start?.(event);
    }
  }

  /** Recovery asks before it starts a version: false when the router holds that version's own event. */
  claimForRecovery(bucket: string, key: string, sequencer: string): boolean {
    const version = `${bucket}/${key}#${sequencer}`;
    if (this.heldVersions.has(version)) return false;
    this.recovered.add(version);
    return true;
  }

  /** From now on events start executions; the held ones start first, in the order they came. */
  open(start: (event: S3ObjectCreatedEvent) => void): number {
    const held = this.held ?? [];
    this.start = start;
    this.held = undefined;
    this.heldVersions.clear();
    for (const event of held) start(event);
    return held.length;
  }

  /** A failed start: nothing held will run (the objects stay in S3, and the next start's recovery finds them). */
  drop(): void {
    this.held = undefined;
    this.heldVersions.clear();
  }
}

function versionOf(event: S3ObjectCreatedEvent): string {
  return `${event.detail.bucket.name}/${event.detail.object.key}#${event.detail.object.sequencer}`;
}
