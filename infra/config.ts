/**
 * Reads picflow's deployment settings from CDK context (`-c key=value` or cdk.json's "context") and
 * validates them, collecting every problem into one error so a typo costs one synth, not five.
 * The defaults here are the defaults of the tasks (tasks/shared/config.ts): a setting left out behaves
 * the same whether it runs in Lambda or in the local runtime.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { Architecture } from 'aws-cdk-lib/aws-lambda';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { ALL_ANALYSES, parseAnalyses, parseThumbnailSizes, type Analysis } from '../tasks/shared/config';

/** The S3 key prefixes picflow reads from and writes to. */
export interface PicflowPrefixes {
  /** Uploads under this prefix start the pipeline. @default 'uploads/' */
  readonly upload: string;
  /** Thumbnails are written here. @default 'thumbnails/' */
  readonly thumbnail: string;
  /** JPEG copies made for Rekognition are written here. @default 'normalized/' */
  readonly normalized: string;
  /** Full Rekognition responses are written here. @default 'analysis/' */
  readonly analysis: string;
}

export const DEFAULT_PREFIXES: PicflowPrefixes = {
  upload: 'uploads/',
  thumbnail: 'thumbnails/',
  normalized: 'normalized/',
  analysis: 'analysis/',
};

/** What the tasks are told through their environment (see tasks/shared/config.ts for each meaning). */
export interface PicflowTaskSettings {
  /** `WIDTHxHEIGHT[:cover|:inside]`, comma-separated. @default '128x128:cover,512x512:inside' */
  readonly thumbnailSizes: string;
  /** Enabled analyses; an empty list makes a thumbnails-only pipeline. @default all four */
  readonly analyses: readonly Analysis[];
  /** @default 52428800 (50 MiB) */
  readonly maxImageBytes: number;
  /** @default 100000000 (100 MP) */
  readonly maxImagePixels: number;
  /** @default 70 */
  readonly minLabelConfidence: number;
  /** @default 25 */
  readonly maxLabels: number;
  /** @default 80 */
  readonly minTextConfidence: number;
  /** @default 60 */
  readonly minModerationConfidence: number;
  /** @default 7200 (the definition's TimeoutSeconds) */
  readonly claimTimeoutSeconds: number;
  /** @default 'amazon-rekognition' */
  readonly analyzerName: string;
  /** @default 1 */
  readonly rekognitionMaxAttempts: number;
}

export const DEFAULT_TASK_SETTINGS: PicflowTaskSettings = {
  thumbnailSizes: '128x128:cover,512x512:inside',
  analyses: ALL_ANALYSES,
  maxImageBytes: 50 * 1024 * 1024,
  maxImagePixels: 100_000_000,
  minLabelConfidence: 70,
  maxLabels: 25,
  minTextConfidence: 80,
  minModerationConfidence: 60,
  claimTimeoutSeconds: 7200,
  analyzerName: 'amazon-rekognition',
  rekognitionMaxAttempts: 1,
};

/** Everything infra/app.ts needs to build the stack. */
export interface PicflowAppConfig {
  readonly stackName: string;
  readonly prefixes: PicflowPrefixes;
  readonly tasks: PicflowTaskSettings;
  readonly architecture: Architecture;
  readonly removalPolicy: RemovalPolicy;
  readonly logRetention: RetentionDays;
  readonly alarmEmail?: string;
}

/** One supported context key: its default as typed on the command line, and what it means. */
export interface ContextKeyDoc {
  readonly key: string;
  readonly default: string;
  readonly description: string;
}

/** The context keys the app reads (the README's table is generated from / checked against this list). */
export const CONTEXT_KEYS: readonly ContextKeyDoc[] = [
  { key: 'stackName', default: 'Picflow', description: 'CloudFormation stack name.' },
  { key: 'uploadPrefix', default: 'uploads/', description: 'Only objects created under this prefix start the pipeline.' },
  { key: 'thumbnailPrefix', default: 'thumbnails/', description: 'Where thumbnails are written (never triggers the pipeline).' },
  { key: 'normalizedPrefix', default: 'normalized/', description: 'Where JPEG copies made for Rekognition are written.' },
  { key: 'analysisPrefix', default: 'analysis/', description: 'Where full Rekognition responses are written.' },
  { key: 'thumbnailSizes', default: '128x128:cover,512x512:inside', description: 'Thumbnail sizes, WIDTHxHEIGHT[:cover|:inside], comma-separated.' },
  { key: 'analyses', default: 'faces,labels,text,moderation', description: 'Enabled analyses, comma-separated; `none` for thumbnails only. Disabled analyses also lose their Rekognition permission.' },
  { key: 'maxImageBytes', default: '52428800', description: 'Larger uploads are rejected.' },
  { key: 'maxImagePixels', default: '100000000', description: 'Images with more pixels are rejected before decoding (decompression bombs).' },
  { key: 'minLabelConfidence', default: '70', description: 'DetectLabels MinConfidence (0-100].' },
  { key: 'maxLabels', default: '25', description: 'DetectLabels MaxLabels.' },
  { key: 'minTextConfidence', default: '80', description: 'Text detections below this confidence are dropped (0-100].' },
  { key: 'minModerationConfidence', default: '60', description: 'DetectModerationLabels MinConfidence (0-100].' },
  { key: 'claimTimeoutSeconds', default: '7200', description: 'A PROCESSING claim older than this may be taken over by a new execution; keep it at least the state machine timeout (2 h).' },
  { key: 'analyzerName', default: 'amazon-rekognition', description: 'Stored on each item as `analyzer`.' },
  { key: 'rekognitionMaxAttempts', default: '1', description: 'SDK-level attempts per Rekognition call (1-10); 1 leaves retries to the state machine.' },
  { key: 'architecture', default: 'arm64', description: 'Lambda architecture: arm64 or x86_64 (sharp is installed for the matching CPU).' },
  { key: 'removalPolicy', default: 'retain', description: 'retain or destroy: bucket, table, queue and log groups. destroy also empties the buckets on stack deletion.' },
  { key: 'logRetentionDays', default: '30', description: 'Retention of every log group, in days (a CloudWatch Logs value: 1, 3, 5, 7, 14, 30, 60, 90, ...) or `infinite`.' },
  { key: 'alarmEmail', default: '(none)', description: 'If set, alarm notifications are emailed here through an SNS topic (confirm the subscription email).' },
];

export class PicflowContextError extends Error {
  override readonly name = 'PicflowContextError';
  constructor(readonly problems: readonly string[]) {
    super(
      `Invalid picflow context (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p}`).join('\n') +
        '\nPass values with `npx cdk synth -c key=value`; see CONTEXT_KEYS in infra/config.ts for every key.',
    );
  }
}

/** The CloudWatch Logs retention values CDK knows, by number of days (0 would be "never expire"). */
const RETENTION_VALUES = new Set<number>(
  Object.values(RetentionDays).filter((v): v is number => typeof v === 'number' && v !== RetentionDays.INFINITE),
);

/**
 * Parses the context. `get` is `(key) => app.node.tryGetContext(key)`: values arrive as strings from
 * `-c` and as JSON values from cdk.json, so both are accepted. Throws PicflowContextError listing
 * every invalid key.
 */
export function parsePicflowContext(get: (key: string) => unknown, allKeys: readonly string[] = []): PicflowAppConfig {
  const problems: string[] = [];
  const ctx = new ContextReader(get, problems);

  // A key that differs from a supported one only by case is a typo that would otherwise be ignored.
  const known = new Map(CONTEXT_KEYS.map((k) => [k.key.toLowerCase(), k.key]));
  for (const key of allKeys) {
    const match = known.get(key.toLowerCase());
    if (match && match !== key) problems.push(`unknown context key "${key}": did you mean "${match}"?`);
  }

  const stackName = ctx.string('stackName', 'Picflow');
  if (!/^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(stackName)) {
    problems.push(`stackName: "${stackName}" is not a valid CloudFormation stack name (letters, digits and hyphens, starting with a letter)`);
  }

  const prefixes: PicflowPrefixes = {
    upload: ctx.string('uploadPrefix', DEFAULT_PREFIXES.upload),
    thumbnail: ctx.string('thumbnailPrefix', DEFAULT_PREFIXES.thumbnail),
    normalized: ctx.string('normalizedPrefix', DEFAULT_PREFIXES.normalized),
    analysis: ctx.string('analysisPrefix', DEFAULT_PREFIXES.analysis),
  };
  problems.push(...prefixProblems(prefixes, PREFIX_CONTEXT_KEYS));

  const thumbnailSizes = ctx.string('thumbnailSizes', DEFAULT_TASK_SETTINGS.thumbnailSizes);
  try {
    parseThumbnailSizes(thumbnailSizes);
  } catch (error) {
    problems.push(`thumbnailSizes: ${stripEnvName((error as Error).message)}`);
  }

  const analysesSpec = ctx.string('analyses', ALL_ANALYSES.join(','));
  let analyses: Analysis[] = [...ALL_ANALYSES];
  try {
    analyses = analysesSpec.trim().toLowerCase() === 'none' ? [] : [...new Set(parseAnalyses(analysesSpec))];
    if (analyses.length === 0 && analysesSpec.trim().toLowerCase() !== 'none') {
      problems.push('analyses: give at least one of faces, labels, text, moderation, or `none` for a thumbnails-only pipeline');
    }
  } catch (error) {
    problems.push(`analyses: ${stripEnvName((error as Error).message)}`);
  }

  const tasks: PicflowTaskSettings = {
    thumbnailSizes,
    analyses,
    maxImageBytes: ctx.integer('maxImageBytes', DEFAULT_TASK_SETTINGS.maxImageBytes, 1),
    maxImagePixels: ctx.integer('maxImagePixels', DEFAULT_TASK_SETTINGS.maxImagePixels, 1),
    minLabelConfidence: ctx.percentage('minLabelConfidence', DEFAULT_TASK_SETTINGS.minLabelConfidence),
    maxLabels: ctx.integer('maxLabels', DEFAULT_TASK_SETTINGS.maxLabels, 1, 1000),
    minTextConfidence: ctx.percentage('minTextConfidence', DEFAULT_TASK_SETTINGS.minTextConfidence),
    minModerationConfidence: ctx.percentage('minModerationConfidence', DEFAULT_TASK_SETTINGS.minModerationConfidence),
    claimTimeoutSeconds: ctx.integer('claimTimeoutSeconds', DEFAULT_TASK_SETTINGS.claimTimeoutSeconds, 1),
    analyzerName: ctx.string('analyzerName', DEFAULT_TASK_SETTINGS.analyzerName),
    rekognitionMaxAttempts: ctx.integer('rekognitionMaxAttempts', DEFAULT_TASK_SETTINGS.rekognitionMaxAttempts, 1, 10),
  };
  if (tasks.analyzerName.trim() === '' || tasks.analyzerName.length > 100) {
    problems.push('analyzerName: give a non-empty name of at most 100 characters');
  }

  const architecture = ctx.choice('architecture', { arm64: Architecture.ARM_64, x86_64: Architecture.X86_64 }, 'arm64');
  const removalPolicy = ctx.choice('removalPolicy', { retain: RemovalPolicy.RETAIN, destroy: RemovalPolicy.DESTROY }, 'retain');

  const retentionRaw = ctx.string('logRetentionDays', '30');
  let logRetention = RetentionDays.ONE_MONTH;
  if (retentionRaw.toLowerCase() === 'infinite') {
    logRetention = RetentionDays.INFINITE;
  } else if (RETENTION_VALUES.has(Number(retentionRaw))) {
    logRetention = Number(retentionRaw) as RetentionDays;
  } else {
    problems.push(
      `logRetentionDays: "${retentionRaw}" is not a CloudWatch Logs retention; use one of ${[...RETENTION_VALUES].sort((a, b) => a - b).join(', ')} or infinite`,
    );
  }

  const alarmEmailRaw = ctx.optionalString('alarmEmail');
  const alarmEmail = alarmEmailRaw?.trim() || undefined;
  if (alarmEmail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(alarmEmail)) {
    problems.push(`alarmEmail: "${alarmEmail}" is not an email address`);
  }

  if (problems.length > 0) throw new PicflowContextError(problems);
  return { stackName, prefixes, tasks, architecture, removalPolicy, logRetention, alarmEmail };
}

const PREFIX_CONTEXT_KEYS: Record<keyof PicflowPrefixes, string> = {
  upload: 'uploadPrefix',
  thumbnail: 'thumbnailPrefix',
  normalized: 'normalizedPrefix',
  analysis: 'analysisPrefix',
};

/**
 * Problems with a set of prefixes, named by `names` (context keys or construct props). Each prefix
 * must be a plain folder-like prefix (it ends up in an IAM resource ARN and an event pattern, where
 * `*` or `?` would widen both), and no prefix may contain another: a derived object written under
 * the upload prefix would start a new execution for its own thumbnail, and so on, forever.
 */
export function prefixProblems(
  prefixes: PicflowPrefixes,
  names: Record<keyof PicflowPrefixes, string> = { upload: 'upload', thumbnail: 'thumbnail', normalized: 'normalized', analysis: 'analysis' },
): string[] {
  const problems: string[] = [];
  const entries: [keyof PicflowPrefixes, string][] = [];
  for (const [which, prefix] of Object.entries(prefixes) as [keyof PicflowPrefixes, string][]) {
    if (!/^[A-Za-z0-9!_.'()-]+(\/[A-Za-z0-9!_.'()-]+)*\/$/.test(prefix)) {
      problems.push(
        `${names[which]}: "${prefix}" must be a non-empty key prefix of letters, digits and !_.'()- segments, ending with "/" and not starting with "/" (e.g. "uploads/")`,
      );
    } else if (prefix.split('/').some((segment) => segment === '.' || segment === '..')) {
      problems.push(`${names[which]}: "${prefix}" must not contain "." or ".." segments`);
    } else {
      entries.push([which, prefix]); // only well-formed prefixes are compared with each other
    }
  }
  for (let i = 0; i < entries.length; i++) {
    for (let j = i + 1; j < entries.length; j++) {
      const [a, pa] = entries[i];
      const [b, pb] = entries[j];
      if (pa.startsWith(pb) || pb.startsWith(pa)) {
        problems.push(
          `${names[a]} "${pa}" and ${names[b]} "${pb}" overlap: every prefix needs its own folder` +
            (a === 'upload' || b === 'upload' ? ' (objects picflow writes under the upload prefix would start the pipeline again)' : ''),
        );
      }
    }
  }
  return problems;
}

/** tasks/shared/config.ts names the environment variable in its messages; here the user typed a context key. */
function stripEnvName(message: string): string {
  return message.replace(/^[A-Z_]+: /, '');
}

class ContextReader {
  constructor(
    private readonly get: (key: string) => unknown,
    private readonly problems: string[],
  ) {}

  optionalString(key: string): string | undefined {
    const value = this.get(key);
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
    this.problems.push(`${key}: expected a string, got ${JSON.stringify(value)}`);
    return undefined;
  }

  string(key: string, fallback: string): string {
    return this.optionalString(key) ?? fallback;
  }

  integer(key: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
    const raw = this.optionalString(key);
    if (raw === undefined || raw.trim() === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      this.problems.push(`${key}: "${raw}" is not a whole number between ${min} and ${max}`);
      return fallback;
    }
    return value;
  }

  /** One of a few names (case-insensitive), mapped to its value; anything else is a problem. */
  choice<T>(key: string, options: Record<string, T>, fallback: string): T {
    const name = this.string(key, fallback).toLowerCase();
    if (name in options) return options[name];
    const names = Object.keys(options);
    this.problems.push(`${key}: "${name}" is not ${names.slice(0, -1).join(', ')} or ${names.at(-1)}`);
    return options[fallback];
  }

  /** (0, 100]: the tasks reject 0 (tasks/shared/config.ts), so the app does too, at synth time. */
  percentage(key: string, fallback: number): number {
    const raw = this.optionalString(key);
    if (raw === undefined || raw.trim() === '') return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0 || value > 100) {
      this.problems.push(`${key}: "${raw}" is not a confidence percentage greater than 0 and at most 100`);
      return fallback;
    }
    return value;
  }
}
