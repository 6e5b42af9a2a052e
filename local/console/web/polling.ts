/** A hook that asks the server again and again until the answer is final (for what the live stream does not carry). */
import { useEffect } from 'preact/hooks';

export type PollOutcome<T> = { value: T } | { error: Error };

/**
 * Calls `load` now, hands each answer to `settle`, and calls again after the delay `settle` returns
 * (undefined: done). Stops when the component goes or `deps` change; answers arriving later are dropped.
 */
export function usePolling<T>(load: () => Promise<T>, settle: (outcome: PollOutcome<T>) => number | undefined, deps: unknown[]): void {
  useEffect(() => {
    let timer: number | undefined;
    let stopped = false;
    const next = (outcome: PollOutcome<T>): void => {
      if (stopped) return;
      const delay = settle(outcome);
      if (delay !== undefined) timer = window.setTimeout(poll, delay);
    };
    const poll = (): void => {
      load().then(
        (value) => next({ value }),
        (error: Error) => next({ error }),
      );
    };
    poll();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  }, deps);
}
