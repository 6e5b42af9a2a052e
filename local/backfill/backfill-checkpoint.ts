/**
 * Where a local backfill has got to: the last listed key before which every object is done, kept under the
 * data directory. Written atomically (a temporary file renamed over it), so a crash leaves the old one or
 * the new one, never half of one.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface BackfillCheckpoint {
  prefix: string;
  reanalyse: boolean;
  /** Every listed key up to and including this one is done (analysed, skipped or failed). */
  lastKey: string;
  updatedAt: string;
}

export function checkpointPath(dataDir: string): string {
  return join(dataDir, 'backfill', 'checkpoint.json');
}

/** The checkpoint of an unfinished backfill of the same prefix and mode, or undefined. */
export function readCheckpoint(path: string, run: { prefix: string; reanalyse: boolean }): BackfillCheckpoint | undefined {
  let saved: BackfillCheckpoint;
  try {
    saved = JSON.parse(readFileSync(path, 'utf8')) as BackfillCheckpoint;
  } catch {
    return undefined;
  }
  // Another prefix or mode is another backfill: it starts from the beginning (and replaces this checkpoint).
  return saved.prefix === run.prefix && saved.reanalyse === run.reanalyse && typeof saved.lastKey === 'string' ? saved : undefined;
}

export function writeCheckpoint(path: string, checkpoint: Omit<BackfillCheckpoint, 'updatedAt'>): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify({ ...checkpoint, updatedAt: new Date().toISOString() }));
  renameSync(temporary, path);
}

export function clearCheckpoint(path: string): void {
  rmSync(path, { force: true });
}

/**
 * Tracks which listed objects are done, in any order, and says how far the done ones reach without a gap:
 * the checkpoint may only move past an object once it and every object before it are done.
 */
export class DoneFrontier {
  private readonly done = new Set<number>();
  private next = 0;

  constructor(private readonly keys: readonly string[]) {}

  /** Marks the object at `index` done; returns the new last key of the gapless run, or undefined when it did not move. */
  markDone(index: number): string | undefined {
    this.done.add(index);
    const before = this.next;
    while (this.done.has(this.next)) this.done.delete(this.next++);
    return this.next > before ? this.keys[this.next - 1] : undefined;
  }
}
