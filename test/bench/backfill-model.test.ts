// The backfill's cost and time model (bench/backfill-model.ts): the item processor's transitions are counted
// by running it, and the closed-loop simulation keeps at most `concurrency` executions in flight.
import { BACKFILL_SCENARIOS, backfillCost, itemProcessorTransitions, simulateBackfill } from '../../bench/backfill-model';
import { PRICES } from '../../bench/cost-model';

describe('Backfill model', () => {
  it('counts 3 transitions per object whether it is started or skipped', async () => {
    expect(await itemProcessorTransitions()).toEqual({ start: 3, skip: 3 });
  });

  it("prices the backfill's own part per object on top of the pipeline's", async () => {
    // Act
    const cost = await backfillCost(1000);

    // Assess: at least its transitions and one Lambda request per object, and far less than the pipeline
    expect(cost.backfillUsd).toBeGreaterThan(1000 * (3 * PRICES.stepFunctionsPerTransition + PRICES.lambdaPerRequest));
    expect(cost.backfillUsd).toBeLessThan(cost.pipelineUsd / 10);
  });

  it('runs one object after another at concurrency 1, and four at a time at 4 (no quota in the way)', () => {
    // Act
    const one = simulateBackfill(20, BACKFILL_SCENARIOS[0], 1);
    const four = simulateBackfill(20, BACKFILL_SCENARIOS[0], 4);

    // Assess
    expect(one.drainSeconds).toBeCloseTo(20 * (one.p50Seconds + 0.3), 5);
    expect(four.drainSeconds).toBeCloseTo(5 * (four.p50Seconds + 0.3), 5);
    expect([one.succeeded, four.succeeded]).toEqual([20, 20]);
  });
});
