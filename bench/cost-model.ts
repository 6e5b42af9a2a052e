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
  /**
   * Arm64, per GB-second. Since 2025-08-01 the INIT phase (cold start) of on-demand ZIP functions on
   * managed runtimes is billed at this same rate (AWS Compute Blog, "AWS Lambda standardizes billing
   * for INIT Phase").
   */
  lambdaPerGbSecond: 0.0000133334,
  /** CloudWatch Logs ingestion, first tier (standard and vended logs, aws.amazon.com/cloudwatch/pricing). */
  logsPerGbIngested: 0.5,
  /** X-Ray, per trace recorded (aws.amazon.com/xray/pricing: $5.00 per million). */
  xrayPerTrace: 5 / 1_000_000,
  /** DetectFaces, DetectLabels, DetectText, DetectModerationLabels: "Group 2" APIs, first 1M images a month. */
  rekognitionPerImageCall: 0.001,
  /**
   * DetectLabels' IMAGE_PROPERTIES feature (setting IMAGE_PROPERTIES, on by default), billed per image on
   * top of the DetectLabels call, first 1M images a month (aws.amazon.com/rekognition/pricing: "Image
   * Properties, first 1 million images, $0.00075 per image"; no free tier; $0.0006 for the next 1.5 million).
   */
  rekognitionImagePropertiesPerImage: 0.00075,
  /**
   * IndexFaces (it replaces DetectFaces in the faces branch, counted with the image calls above), SearchUsers
   * (people tagging, one call per new face): "Group 1" APIs, first 1M a month. Group 1 lists the collection
   * searches (CompareFaces, IndexFaces, SearchFaces, SearchFacesByImage); that SearchUsers is billed like them is
   * this model's assumption (the stored pages did not show the user-vector APIs' group).
   */
  rekognitionGroup1PerCall: 0.001,
  /** Face metadata storage: $0.00001 per face vector per month (pro-rated). */
  faceStoragePerFaceMonth: 0.00001,
  dynamoPerWriteUnit: 0.625 / 1_000_000,
  dynamoPerReadUnit: 0.125 / 1_000_000,
  s3PerPut: 0.005 / 1000,
  s3PerGet: 0.0004 / 1000,
  sqsPerRequest: 0.4 / 1_000_000,
} as const;

/**
 * What each Lambda task does per image: memory (as deployed by infra/), typical duration for a
 * 1.5 MP photo, INIT duration of a cold start, and its AWS requests. Durations are estimates for
 * Lambda on arm64, stated as such; the INIT estimates cover loading the bundled SDK (and sharp's
 * native library for the two image tasks).
 */
export const TASK_PROFILE: Record<
  string,
  {
    memoryMb: number;
    durationMs: number;
    initMs: number;
    rekognition: number;
    s3Put: number;
    s3Get: number;
    dynamoWriteUnits: number;
    dynamoReadUnits: number;
  }
> = {
  ClaimImage: { memoryMb: 256, durationMs: 40, initMs: 250, rekognition: 0, s3Put: 0, s3Get: 0, dynamoWriteUnits: 1, dynamoReadUnits: 0 },
  ValidateImage: {
    memoryMb: 1769,
    durationMs: 400,
    initMs: 400,
    rekognition: 0,
    s3Put: 0,
    s3Get: 2,
    dynamoWriteUnits: 0,
    dynamoReadUnits: 0,
  },
  CreateThumbnails: {
    memoryMb: 1769,
    durationMs: 300,
    initMs: 400,
    rekognition: 0,
    s3Put: 2,
    s3Get: 1,
    dynamoWriteUnits: 0,
    dynamoReadUnits: 0,
  },
  DetectFaces: { memoryMb: 256, durationMs: 700, initMs: 300, rekognition: 1, s3Put: 1, s3Get: 0, dynamoWriteUnits: 0, dynamoReadUnits: 0 },
  DetectLabelsAndText: {
    memoryMb: 256,
    durationMs: 900,
    initMs: 300,
    rekognition: 2,
    s3Put: 2,
    s3Get: 0,
    dynamoWriteUnits: 0,
    dynamoReadUnits: 0,
  },
  DetectModerationLabels: {
    memoryMb: 256,
    durationMs: 500,
    initMs: 300,
    rekognition: 1,
    s3Put: 1,
    s3Get: 0,
    dynamoWriteUnits: 0,
    dynamoReadUnits: 0,
  },
  // A stored item of a typical photo is 3-8 KB: 8 write units covers it. A SUCCEEDED item is not in
  // the sparse byStatus index, so the happy path writes no index entry (see INDEX_WRITE_UNITS).
  StoreResult: { memoryMb: 256, durationMs: 60, initMs: 250, rekognition: 0, s3Put: 0, s3Get: 0, dynamoWriteUnits: 8, dynamoReadUnits: 0 },
  RecordFailure: {
    memoryMb: 256,
    durationMs: 40,
    initMs: 250,
    rekognition: 0,
    s3Put: 0,
    s3Get: 0,
    dynamoWriteUnits: 1,
    dynamoReadUnits: 0,
  },
};

/**
 * Assumptions beyond the task profiles, each an estimate stated as such.
 * - coldStartShare: invocations that start a new execution environment (and pay its INIT). AWS puts
 *   production workloads under 1%; a batch upload scales out, so picflow assumes 10%.
 * - lambdaLogBytesPerInvocation: START/END/REPORT lines plus the task's own structured log lines.
 * - stateMachineLogBytesPerImage: the state machine logs at level ERROR without execution data
 *   (infra/constructs/pipeline.ts), so a successful execution writes nothing. At ALL with execution
 *   data it would write about two events per state with its input and output: ~40 events, 60-100 KB.
 * - tracesPerImage: one X-Ray trace per execution (the Lambda segments join the state machine's
 *   trace). The default sampling rule records the first request each second and 5% of the rest, so
 *   during a burst far fewer are recorded: 1 is the upper bound.
 * - facesPerImage: faces indexed per photo (faceIndexing on), each one SearchUsers call and one stored
 *   face vector. 1 is an average for a photo library (portraits, groups, and photos with nobody).
 * - indexWriteUnitsPerListedWrite: a FAILED or PARTIAL write also writes the byStatus entry (keys,
 *   statusReason up to 1,000 characters, executionId): at most 2 write units. Moving an item out of
 *   the index (a replay's claim) costs one more. The happy path writes none.
 */
export const ASSUMPTIONS = {
  coldStartShare: 0.1,
  lambdaLogBytesPerInvocation: 1024,
  stateMachineLogBytesPerImage: 0,
  tracesPerImage: 1,
  indexWriteUnitsPerListedWrite: 2,
  facesPerImage: 1,
} as const;

export interface CostLine {
  item: string;
  quantity: number;
  unit: string;
  usd: number;
}

/**
 * One line of the table: `amount` billed at `price` a unit. `shown` is the quantity printed when it is
 * rounded (or in another unit) while the bill is on the exact amount.
 */
function line(item: string, amount: number, unit: string, price: number, shown: number = amount): CostLine {
  return { item, quantity: shown, unit, usd: amount * price };
}

/** Runs the happy path once and counts what it used. */
export async function happyPathUsage(): Promise<{ transitions: number; lambdaStates: string[] }> {
  const branch = (name: string) => async () => ({ branch: name, status: 'SUCCEEDED' });
  const image = { imageId: 'b/k', bucket: 'b', key: 'uploads/k.jpg', etag: 'e', size: 1, sequencer: '1', eventTime: '' };
  const handlers = {
    ClaimImage: async () => ({ decision: 'PROCESS', image }),
    ValidateImage: async () => ({
      format: 'jpeg',
      width: 1,
      height: 1,
      bytes: 1,
      analysisObject: { bucket: 'b', key: 'uploads/k.jpg' },
      normalized: false,
      image,
    }),
    CreateThumbnails: branch('thumbnails'),
    DetectFaces: branch('faces'),
    DetectLabelsAndText: branch('labelsAndText'),
    DetectModerationLabels: branch('moderation'),
    StoreResult: async () => ({ status: 'SUCCEEDED', reason: '' }),
    RecordFailure: async () => ({ status: 'FAILED', reason: '' }),
  };
  const machine = new LocalStateMachine({
    handlers,
    integrations: { 'sqs:sendMessage': async () => ({}) },
    substitutions: { DeadLetterQueueUrl: 'q' },
  });
  const outcome = await machine.execute({}, { name: 'cost-model' });
  if (outcome.status !== 'SUCCEEDED') throw new Error(`cost model: happy path ended ${outcome.status}: ${outcome.cause}`);
  const entered = outcome.events
    .filter((e: EventLog) => e.type === 'StateEntered')
    .map((e) => (e as { state: { name: string } }).state.name);
  const lambdaStates = entered.filter((name) => TASKS.some((t) => t.state === name));
  return { transitions: entered.length, lambdaStates };
}

export async function costPerThousandImages(): Promise<CostLine[]> {
  const images = 1000;
  const { transitions, lambdaStates } = await happyPathUsage();
  const profiles = lambdaStates.map((state) => TASK_PROFILE[state]);
  const sum = (pick: (p: (typeof profiles)[number]) => number) => profiles.reduce((total, p) => total + pick(p), 0) * images;
  const gbSeconds = sum((p) => (p.memoryMb / 1024) * (p.durationMs / 1000));
  const initGbSeconds = sum((p) => (p.memoryMb / 1024) * (p.initMs / 1000)) * ASSUMPTIONS.coldStartShare;
  const s3Puts = sum((p) => p.s3Put);
  const s3Gets = sum((p) => p.s3Get);
  const rekognitionCalls = sum((p) => p.rekognition);
  const writeUnits = sum((p) => p.dynamoWriteUnits);
  const invocations = lambdaStates.length * images;
  // Happy path: every item ends SUCCEEDED, outside the sparse index.
  const indexWriteUnits = 0;
  const logBytes = invocations * ASSUMPTIONS.lambdaLogBytesPerInvocation + images * ASSUMPTIONS.stateMachineLogBytesPerImage;
  const logMb = logBytes / 1024 ** 2;
  const traces = images * ASSUMPTIONS.tracesPerImage;
  // Requested with every DetectLabels call under the default settings (tasks/shared/settings.ts).
  const imagePropertiesImages = lambdaStates.filter((state) => state === 'DetectLabelsAndText').length * images;
  // Under the default settings (faceIndexing on) every face found is indexed and searched against the named people.
  const faces = lambdaStates.filter((state) => state === 'DetectFaces').length * images * ASSUMPTIONS.facesPerImage;
  const lines: CostLine[] = [
    line('Step Functions state transitions', transitions * images, 'transitions', PRICES.stepFunctionsPerTransition),
    line('Lambda requests', invocations, 'invocations', PRICES.lambdaPerRequest),
    line('Lambda compute (arm64)', gbSeconds, 'GB-seconds', PRICES.lambdaPerGbSecond, Math.round(gbSeconds)),
    line(
      `Lambda INIT (${ASSUMPTIONS.coldStartShare * 100}% cold starts)`,
      initGbSeconds,
      'GB-seconds',
      PRICES.lambdaPerGbSecond,
      Math.round(initGbSeconds),
    ),
    line('Rekognition image API calls', rekognitionCalls, 'calls', PRICES.rekognitionPerImageCall),
    line('Rekognition IMAGE_PROPERTIES (with DetectLabels)', imagePropertiesImages, 'images', PRICES.rekognitionImagePropertiesPerImage),
    line(
      `Rekognition SearchUsers (people tagging, ${ASSUMPTIONS.facesPerImage} face per image)`,
      faces,
      'calls',
      PRICES.rekognitionGroup1PerCall,
    ),
    line('Face vectors stored (first month; faceIndexing)', faces, 'face-months', PRICES.faceStoragePerFaceMonth),
    line('DynamoDB on-demand writes', writeUnits, 'write units', PRICES.dynamoPerWriteUnit),
    line('DynamoDB byStatus index writes (FAILED/PARTIAL only)', indexWriteUnits, 'write units', PRICES.dynamoPerWriteUnit),
    // Two prices on one line: PUTs and GETs are billed differently.
    {
      item: 'S3 requests (PUT + GET)',
      quantity: s3Puts + s3Gets,
      unit: 'requests',
      usd: s3Puts * PRICES.s3PerPut + s3Gets * PRICES.s3PerGet,
    },
    // Billed per GB, shown in MB.
    line(
      'CloudWatch Logs ingestion (Lambda; state machine at ERROR)',
      logBytes / 1024 ** 3,
      'MB',
      PRICES.logsPerGbIngested,
      Math.round(logMb * 10) / 10,
    ),
    line('X-Ray traces (upper bound)', traces, 'traces', PRICES.xrayPerTrace),
  ];
  return lines;
}

/** The README's cost table, in Markdown. */
export function costTableMarkdown(lines: CostLine[]): string {
  const total = lines.reduce((t, l) => t + l.usd, 0);
  const rows = lines.map((l) => `| ${l.item} | ${l.quantity.toLocaleString('en-US')} ${l.unit} | $${l.usd.toFixed(3)} |`);
  return [
    '| per 1,000 images (happy path) | quantity | USD |',
    '| --- | ---: | ---: |',
    ...rows,
    `| **total** | | **$${total.toFixed(2)}** |`,
  ].join('\n');
}
