/**
 * Progress on stderr while images are analysed: a bar on a terminal, one line per finished image
 * otherwise (CI logs), nothing for a single image. stdout stays reserved for results.
 */
import { SingleBar, Presets } from 'cli-progress';

export interface Progress {
  done(label: string, status: string): void;
  stop(): void;
}

export function createProgress(total: number): Progress {
  if (total < 2) return { done: () => undefined, stop: () => undefined };
  if (process.stderr.isTTY) {
    const started = Date.now();
    let count = 0;
    // Our own ETA: cli-progress shows "0s left" before anything finished, which reads as "done".
    const bar = new SingleBar(
      { stream: process.stderr, format: '{bar} {value}/{total} images{eta} | {last}', hideCursor: true },
      Presets.shades_classic,
    );
    bar.start(total, 0, { last: '', eta: '' });
    return {
      done: (label, status) => bar.increment({ last: `${label} ${status}`, eta: etaText(++count, total, Date.now() - started) }),
      stop: () => bar.stop(),
    };
  }
  let count = 0;
  return {
    done: (label, status) => process.stderr.write(`[${++count}/${total}] ${label} ${status}\n`),
    stop: () => undefined,
  };
}

/** ` | about 12s left` once at least one image finished (the only basis for an estimate); '' before, and at the end. */
export function etaText(done: number, total: number, elapsedMs: number): string {
  if (done === 0 || done >= total) return '';
  const seconds = Math.round(((elapsedMs / done) * (total - done)) / 1000);
  return ` | about ${seconds < 60 ? `${seconds}s` : `${Math.floor(seconds / 60)}m ${seconds % 60}s`} left`;
}
