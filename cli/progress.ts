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
    const bar = new SingleBar({ stream: process.stderr, format: '{bar} {value}/{total} images | {eta_formatted} left | {last}', hideCursor: true }, Presets.shades_classic);
    bar.start(total, 0, { last: '' });
    return { done: (label, status) => bar.increment({ last: `${label} ${status}` }), stop: () => bar.stop() };
  }
  let count = 0;
  return {
    done: (label, status) => process.stderr.write(`[${++count}/${total}] ${label} ${status}\n`),
    stop: () => undefined,
  };
}
