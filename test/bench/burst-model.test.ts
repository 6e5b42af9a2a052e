// The burst model's core with small numbers: Step Functions' retry delays, the quota really limiting
// throughput, the definition's own retriers surviving a burst that short retriers do not, reproducibility.
import { readDefinitionText, type AslDefinition } from '../../statemachines/definition';
import { retryDelaySeconds, simulateBurst, type BurstParameters } from '../../bench/burst-model';

const theDefinition = (): AslDefinition => JSON.parse(readDefinitionText()) as AslDefinition;

/** THE definition with every throttling retrier cut down to `MaxAttempts` tries of `MaxDelaySeconds` at most. */
function withShortThrottleRetries(MaxAttempts: number, MaxDelaySeconds: number): AslDefinition {
  const definition = theDefinition();
  const visit = (states: AslDefinition['States']) => {
    for (const state of Object.values(states)) {
      state.Branches?.forEach((b) => visit(b.States));
      for (const r of state.Retry ?? [])
        if (r.ErrorEquals.some((e) => /TooManyRequests|Throttling/.test(e))) Object.assign(r, { MaxAttempts, MaxDelaySeconds });
    }
  };
  visit(definition.States);
  return definition;
}

const ONE_TPS = { DetectFaces: 1, DetectLabels: 1, DetectText: 1, DetectModerationLabels: 1 };
const SMALL_BURST: BurstParameters = {
  images: 12,
  tps: ONE_TPS,
  lambdaConcurrency: 1000,
  startsPerSecond: 100,
  startBurst: 100,
  sdkMaxAttempts: 1,
  seed: 7,
};

describe('retryDelaySeconds (Step Functions retry semantics)', () => {
  const retrier = { ErrorEquals: ['X'], IntervalSeconds: 2, BackoffRate: 3, MaxDelaySeconds: 50 };

  it('grows by BackoffRate from IntervalSeconds and stops at MaxDelaySeconds', () => {
    expect([1, 2, 3, 4, 5].map((n) => retryDelaySeconds(retrier, n, () => 0.5))).toEqual([2, 6, 18, 50, 50]);
  });

  it('waits a random share of that with JitterStrategy FULL', () => {
    const full = { ...retrier, JitterStrategy: 'FULL' };
    expect(retryDelaySeconds(full, 3, () => 0.25)).toBe(4.5);
    expect(retryDelaySeconds(full, 5, () => 0)).toBe(0);
  });
});

describe('simulateBurst', () => {
  it("drains a dozen uploads at 1 TPS with every image SUCCEEDED under the definition's retriers, no faster than the quota allows", () => {
    // Act
    const outcome = simulateBurst(theDefinition(), SMALL_BURST);

    // Assess
    expect(outcome).toMatchObject({ succeeded: 12, partial: 0, failed: 0, timedOut: 0 });
    expect(outcome.throttledCalls).toBeGreaterThan(0);
    expect(outcome.retries).toBeGreaterThan(0);
    // 12 calls of one operation at 1 TPS (one token saved up at the start) take at least 11 s.
    expect(outcome.drainSeconds).toBeGreaterThanOrEqual(11);
  });

  it('leaves images PARTIAL when the throttling retriers give up early (one retry of at most 2 s)', () => {
    const outcome = simulateBurst(withShortThrottleRetries(1, 2), SMALL_BURST);
    expect(outcome.partial).toBeGreaterThan(0);
    expect(outcome.succeeded + outcome.partial + outcome.failed + outcome.timedOut).toBe(12);
  });

  it('fails images whose ClaimImage Lambda stays throttled: concurrency is modelled too', () => {
    const outcome = simulateBurst(withShortThrottleRetries(0, 1), {
      ...SMALL_BURST,
      tps: { ...ONE_TPS, DetectFaces: 100 },
      lambdaConcurrency: 1,
    });
    expect(outcome.failed).toBeGreaterThan(0);
    expect(outcome.lambdaThrottles).toBeGreaterThan(0);
  });

  it('is reproducible: the same seed gives the same outcome, another seed another', () => {
    const definition = theDefinition();
    expect(simulateBurst(definition, SMALL_BURST)).toEqual(simulateBurst(definition, SMALL_BURST));
    expect(simulateBurst(definition, { ...SMALL_BURST, seed: 8 }).drainSeconds).not.toBe(
      simulateBurst(definition, SMALL_BURST).drainSeconds,
    );
  });
});
