/**
 * The cost of 1,000 images on AWS, computed from THE definition: the happy path is executed with the
 * local engine (stub tasks) and every state entered, Lambda invocation and AWS request is counted,
 * then priced. `npm run cost` prints the table; test/docs/readme.test.ts keeps the README's copy true.
 */
import { LocalStateMachine, type EventLog } from '../local/engine/local-state-machine';
import { TASKS } from '../statemachines/tasks';

/** us-east-1 list prices, checked 2026-11 (USD). Update here and `npm run cost` rewrites the table. */
export const PRICES = {
  stepFunctionsPerTransition: 0.025 / 1000,
  lambdaPerRequest: 0.2 / 1_000_000,
  /** Arm64, per GB-second. */
  lambdaPerGbSecond: 0.0000133334,
  /** DetectFaces, DetectLabels, DetectText, DetectModerationLabels: "Group 2" APIs, first 1M images a month. */
  rekognitionPerImageCall: 0.001,
  dynamoPerWriteUnit: 0.625 / 1_000_000,
  dynamoPerReadUnit: 0.125 / 1_000_000,
  s3PerPut: 0.005 / 1000,
  s3PerGet: 0.0004 / 1000,
  sqsPerRequest: 0.4 / 1_000_000,
} as const;

/**
 * What each Lambda task does per image: memory (as deployed by infra/), typical duration for a
 * 1.5 MP photo, and its AWS requests. Durations are estimates for Lambda on arm64, stated as such.
 */
export const TASK_PROFILE: Record<string, { memoryMb: number; durationMs: number; rekognition: number; s3Put: number; s3Get: number; dynamoWriteUnits: number; dynamoReadUnits: number }> = {
  ClaimImage: { memoryMb: 256, durationMs: 40, rekognition: 0, s3Put: 0, s3Get: 0, dynamoWriteUnits: 1, dynamoReadUnits: 0 },
  ValidateImage: { memoryMb: 1769, durationMs: 400, rekognition: 0, s3Put: 0, s3Get: 2, dynamoWriteUnits: 0, dynamoReadUnits: 0 },
  CreateThumbnails: { memoryMb: 1769, durationMs: 300, rekognition: 0, s3Put: 2, s3Get: 1, dynamoWriteUnits: 0, dynamoReadUnits: 0 },
  DetectFaces: { memoryMb: 256, durationMs: 700, rekognition: 1, s3Put: 1, s3Get: 0, dynamoWriteUnits: 0, dynamoReadUnits: 0 },
  DetectLabelsAndText: { memoryMb: 256, durationMs: 900, rekognition: 2, s3Put: 2, s3Get: 0, dynamoWriteUnits: 0, dynamoReadUnits: 0 },
  DetectModerationLabels: { memoryMb: 256, durationMs: 500, rekognition: 1, s3Put: 1, s3Get: 0, dynamoWriteUnits: 0, dynamoReadUnits: 0 },
  // A stored item of a typical photo is 3-8 KB: 8 write units covers it.
  StoreResult: { memoryMb: 256, durationMs: 60, rekognition: 0, s3Put: 0, s3Get: 0, dynamoWriteUnits: 8, dynamoReadUnits: 0 },
  RecordFailure: { memoryMb: 256, durationMs: 40, rekognition: 0, s3Put: 0, s3Get: 0, dynamoWriteUnits: 1, dynamoReadUnits: 0 },
};

export interface CostLine {
  item: string;
  quantity: number;
  unit: string;
  usd: number;
}

/** Runs the happy path once and counts what it used. */
export async function happyPathUsage(): Promise<{ transitions: number; lambdaStates: string[] }> {
  const branch = (name: string) => async () => ({ branch: name, status: 'SUCCEEDED' });
  const image = { imageId: 'b/k', bucket: 'b', key: 'uploads/k.jpg', etag: 'e', size: 1, sequencer: '1', eventTime: '' };
  const handlers = {
    ClaimImage: async () => ({ decision: 'PROCESS', image }),
    ValidateImage: async () => ({ format: 'jpeg', width: 1, height: 1, bytes: 1, analysisObject: { bucket: 'b', key: 'uploads/k.jpg' }, normalized: false, image }),
    CreateThumbnails: branch('thumbnails'),
    DetectFaces: branch('faces'),
    DetectLabelsAndText: branch('labelsAndText'),
    DetectModerationLabels: branch('moderation'),
    StoreResult: async () => ({ status: 'SUCCEEDED', reason: '' }),
    RecordFailure: async () => ({ status: 'FAILED', reason: '' }),
  };
  const machine = new LocalStateMachine({ handlers, integrations: { 'sqs:sendMessage': async () => ({}) }, substitutions: { DeadLetterQueueUrl: 'q' } });
  const outcome = await machine.execute({}, { name: 'cost-model' });
  if (outcome.status !== 'SUCCEEDED') throw new Error(`cost model: happy path ended ${outcome.status}: ${outcome.cause}`);
  const entered = outcome.events.filter((e: EventLog) => e.type === 'StateEntered').map((e) => (e as { state: { name: string } }).state.name);
  const lambdaStates = entered.filter((name) => TASKS.some((t) => t.state === name));
  return { transitions: entered.length, lambdaStates };
}

export async function costPerThousandImages(): Promise<CostLine[]> {
  const images = 1000;
  const { transitions, lambdaStates } = await happyPathUsage();
  const profiles = lambdaStates.map((state) => TASK_PROFILE[state]);
  const sum = (pick: (p: (typeof profiles)[number]) => number) => profiles.reduce((total, p) => total + pick(p), 0) * images;
  const gbSeconds = sum((p) => (p.memoryMb / 1024) * (p.durationMs / 1000));
  const s3Puts = sum((p) => p.s3Put);
  const s3Gets = sum((p) => p.s3Get);
  const lines: CostLine[] = [
    { item: 'Step Functions state transitions', quantity: transitions * images, unit: 'transitions', usd: transitions * images * PRICES.stepFunctionsPerTransition },
    { item: 'Lambda requests', quantity: lambdaStates.length * images, unit: 'invocations', usd: lambdaStates.length * images * PRICES.lambdaPerRequest },
    { item: 'Lambda compute (arm64)', quantity: Math.round(gbSeconds), unit: 'GB-seconds', usd: gbSeconds * PRICES.lambdaPerGbSecond },
    { item: 'Rekognition image API calls', quantity: sum((p) => p.rekognition), unit: 'calls', usd: sum((p) => p.rekognition) * PRICES.rekognitionPerImageCall },
    { item: 'DynamoDB on-demand writes', quantity: sum((p) => p.dynamoWriteUnits), unit: 'write units', usd: sum((p) => p.dynamoWriteUnits) * PRICES.dynamoPerWriteUnit },
    { item: 'S3 requests (PUT + GET)', quantity: s3Puts + s3Gets, unit: 'requests', usd: s3Puts * PRICES.s3PerPut + s3Gets * PRICES.s3PerGet },
  ];
  return lines;
}

/** The README's cost table, in Markdown. */
export function costTableMarkdown(lines: CostLine[]): string {
  const total = lines.reduce((t, l) => t + l.usd, 0);
  const rows = lines.map((l) => `| ${l.item} | ${l.quantity.toLocaleString('en-US')} ${l.unit} | $${l.usd.toFixed(3)} |`);
  return ['| per 1,000 images (happy path) | quantity | USD |', '| --- | ---: | ---: |', ...rows, `| **total** | | **$${total.toFixed(2)}** |`].join('\n');
}
