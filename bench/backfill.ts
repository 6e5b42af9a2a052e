// Prints what a backfill costs and takes on AWS at the default concurrency (bench/backfill-model.ts), as
// the README's "Backfill" table:   npm run backfill-model -- [--images 100000] [--concurrency 40]
import { parseArgs } from 'node:util';
import { DEFAULT_BACKFILL_CONCURRENCY } from '../statemachines/backfill';
import { BACKFILL_SCENARIOS, backfillCost, simulateBackfill } from './backfill-model';

const { values } = parseArgs({
  options: {
    images: { type: 'string', default: '100000' },
    concurrency: { type: 'string', default: String(DEFAULT_BACKFILL_CONCURRENCY) },
  },
});
const images = Number(values.images);
const concurrency = Number(values.concurrency);

void (async () => {
  const cost = await backfillCost(images);
  const usd = (n: number) => `$${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  console.log(`${images.toLocaleString('en-US')} images, backfillConcurrency ${concurrency}\n`);
  console.log(
    `Cost: ${usd(cost.pipelineUsd + cost.backfillUsd)} = pipeline ${usd(cost.pipelineUsd)} (npm run cost, per image) + backfill ` +
      `${usd(cost.backfillUsd)} (${cost.transitionsPerObject} transitions, one PrepareBackfillItem call and one GetItem per object)\n`,
  );
  console.log('| scenario | duration | images/s | p50 / p99 execution | throttled Rekognition calls | retries | FAILED |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const scenario of BACKFILL_SCENARIOS) {
    const r = simulateBackfill(images, scenario, concurrency);
    console.log(
      `| ${scenario.name} | ${(r.drainSeconds / 3600).toFixed(1)} h | ${(images / r.drainSeconds).toFixed(1)} | ` +
        `${r.p50Seconds.toFixed(1)} s / ${r.p99Seconds.toFixed(1)} s | ${r.throttledCalls.toLocaleString('en-US')} | ` +
        `${r.retries.toLocaleString('en-US')} | ${r.failed + r.timedOut} |`,
    );
  }
})();
