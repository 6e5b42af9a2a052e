// Prints, as the README's Markdown table, how a burst of uploads drains under default quotas with the
// retriers of a definition file (default: THE definition). See bench/burst-model.ts for the model.
//   npm run burst -- [--images 10000] [--seed 1] [--definition path/to/definition.asl.json]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFINITION_PATH, type AslDefinition } from '../statemachines/definition';
import { simulateBurst, type BurstParameters, type RekognitionOperation } from './burst-model';

/** Rekognition's default TPS quotas used here (README "Limits" says where they come from). */
const US_EAST_1: Record<RekognitionOperation, number> = { DetectFaces: 100, DetectLabels: 50, DetectText: 50, DetectModerationLabels: 50 };
const SMALLER_REGION: Record<RekognitionOperation, number> = { DetectFaces: 5, DetectLabels: 5, DetectText: 5, DetectModerationLabels: 5 };

const SCENARIOS: {
  name: string;
  tps: Record<RekognitionOperation, number>;
  lambdaConcurrency: number;
  startsPerSecond: number;
  startBurst: number;
}[] = [
  { name: 'us-east-1 defaults, Lambda 1,000', tps: US_EAST_1, lambdaConcurrency: 1000, startsPerSecond: 300, startBurst: 1300 },
  {
    name: '5 TPS per operation (smaller region), Lambda 1,000',
    tps: SMALLER_REGION,
    lambdaConcurrency: 1000,
    startsPerSecond: 150,
    startBurst: 800,
  },
  { name: 'us-east-1 defaults, new account: Lambda 10', tps: US_EAST_1, lambdaConcurrency: 10, startsPerSecond: 300, startBurst: 1300 },
];

const { values } = parseArgs({
  options: {
    images: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '1' },
    definition: { type: 'string', default: DEFINITION_PATH },
  },
});
const definition = JSON.parse(readFileSync(values.definition, 'utf8')) as AslDefinition;
const images = Number(values.images);

const pct = (n: number) => `${((100 * n) / images).toFixed(2)} %`;
const min = (s: number) => `${(s / 60).toFixed(1)} min`;
console.log(
  `${images.toLocaleString('en-US')} uploads at once, seed ${values.seed}, retriers of ${values.definition.replace(`${process.cwd()}/`, '')}\n`,
);
console.log(
  '| scenario | SUCCEEDED | PARTIAL | FAILED | timed out | drain | p50 / p99 execution | retries (transitions) | throttled Rekognition calls | Lambda throttles |',
);
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const scenario of SCENARIOS) {
  const params: BurstParameters = { ...scenario, images, sdkMaxAttempts: 1, seed: Number(values.seed) };
  const r = simulateBurst(definition, params);
  console.log(
    `| ${scenario.name} | ${pct(r.succeeded)} | ${pct(r.partial)} | ${pct(r.failed)} | ${pct(r.timedOut)} | ${min(r.drainSeconds)} | ${min(r.p50Seconds)} / ${min(r.p99Seconds)} | ${r.retries.toLocaleString('en-US')} | ${r.throttledCalls.toLocaleString('en-US')} | ${r.lambdaThrottles.toLocaleString('en-US')} |`,
  );
}
