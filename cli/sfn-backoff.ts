/**
 * Retries a Step Functions call that AWS throttled, with exponential backoff and full jitter, so that a
 * replay of many dead letters slows down instead of failing them.
 *
 * Retriable: ThrottlingException (the per-account token bucket of StartExecution / DescribeExecution;
 * it refills within seconds). Not retriable: ExecutionLimitExceeded (the account's quota of open
 * executions is used up; it frees only as executions end, far beyond any sensible wait) and every other
 * error: the message stays in the queue for a later replay.
 */
export interface BackoffOptions {
  /** Attempts in all, the first included. */
  attempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Injected by tests: no real waiting. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Told before each wait, e.g. to print why the replay slowed down. */
  onRetry?: (error: Error, attempt: number, delayMs: number) => void;
}

export const DEFAULT_BACKOFF = { attempts: 10, baseDelayMs: 500, maxDelayMs: 20_000 } as const;

export function isThrottling(error: unknown): boolean {
  const name = (error as { name?: string } | undefined)?.name;
  return (
    name === 'ThrottlingException' ||
    name === 'TooManyRequestsException' ||
    (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode === 429
  );
}

/** Runs `call`; while it throws a throttling error, waits a random 0..min(max, base * 2^n) ms and tries again. */
export async function withThrottleBackoff<T>(call: () => Promise<T>, options: BackoffOptions = {}): Promise<T> {
  const { attempts, baseDelayMs, maxDelayMs } = { ...DEFAULT_BACKOFF, ...options };
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!isThrottling(error) || attempt >= attempts) throw error;
      // Full jitter: callers throttled together spread out instead of retrying in lockstep.
      const delayMs = Math.round(random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1)));
      options.onRetry?.(error as Error, attempt, delayMs);
      await sleep(delayMs);
    }
  }
}
