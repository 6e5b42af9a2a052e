/**
 * Reads picflow's deployment settings from CDK context (`-c key=value` or cdk.json's "context") and
 * validates them, collecting every problem into one error so a typo costs one synth, not five.
 * The tasks' settings come from their table (tasks/shared/settings.ts: context key, default, parser),
 * so a setting left out behaves the same whether it runs in Lambda or in the local runtime; only the
 * deployment's own keys (DEPLOYMENT_KEYS) are defined here.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import {
  type BackfillSettings,
  backfillSettingProblems,
  DEFAULT_BACKFILL_CONCURRENCY,
  DEFAULT_BACKFILL_TOLERATED_FAILURE_PERCENTAGE,
} from '../statemachines/backfill';
import { Architecture } from 'aws-cdk-lib/aws-lambda';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  defaultOf,
  parsePrefix,
  readSettings,
  SettingError,
  settingEntries,
  settingsEnvironment,
  type ContextSettingName,
  type SettingValue,
} from '../tasks/shared/settings';

/** The S3 key prefixes picflow reads from and writes to, by area. */
export interface PicflowPrefixes {
  /** Uploads under this prefix start the pipeline. */
  readonly upload: string;
  /** Thumbnails are written here. */
  readonly thumbnail: string;
  /** JPEG copies made for Rekognition are written here. */
  readonly normalized: string;
  /** Full Rekognition responses are written here. */
  readonly analysis: string;
}

/** Which setting holds each area's prefix. */
export const PREFIX_SETTINGS = {
  upload: 'uploadPrefix',
  thumbnail: 'thumbnailPrefix',
  normalized: 'normalizedPrefix',
  analysis: 'analysisPrefix',
} as const satisfies Record<keyof PicflowPrefixes, ContextSettingName>;

type PrefixSettingName = (typeof PREFIX_SETTINGS)[keyof PicflowPrefixes];

export const DEFAULT_PREFIXES: PicflowPrefixes = {
  upload: defaultOf('uploadPrefix'),
  thumbnail: defaultOf('thumbnailPrefix'),
  normalized: defaultOf('normalizedPrefix'),
  analysis: defaultOf('analysisPrefix'),
};

/** The settings of the table the app passes to the tasks (those with a context key, the prefixes aside), parsed. */
export type TaskSettingName = Exclude<ContextSettingName, PrefixSettingName>;
export type PicflowTaskSettings = { readonly [K in TaskSettingName]: SettingValue<K> };

const CONTEXT_SETTINGS = settingEntries().filter(([, setting]) => setting.context !== undefined);
const TASK_SETTING_NAMES = CONTEXT_SETTINGS.map(([name]) => name).filter(
  (name): name is TaskSettingName => !(Object.values(PREFIX_SETTINGS) as string[]).includes(name),
);

export const DEFAULT_TASK_SETTINGS: PicflowTaskSettings = Object.fromEntries(
  TASK_SETTING_NAMES.map((name) => [name, defaultOf(name)]),
) as unknown as PicflowTaskSettings;

/** The HTTP API's deployment settings (infra/constructs/api.ts). */
export interface PicflowApiSettings {
  /**
   * `iam`: every call signed with SigV4 by an AWS principal; `jwt`: a bearer token from the issuer;
   * `cognito`: a bearer token from a Cognito user pool the stack creates (infra/constructs/api-user-pool.ts).
   */
  readonly auth: 'iam' | 'jwt' | 'cognito';
  /** The OIDC issuer URL (https) and the audience a token must carry: both required with `jwt`. */
  readonly jwtIssuer?: string;
  readonly jwtAudience?: readonly string[];
  /** With `cognito`: anyone may sign up; otherwise administrators create the users. @default false */
  readonly cognitoSelfSignUp?: boolean;
  /** Origins a browser may call from; none: browsers on other origins are refused. */
  readonly corsOrigins: readonly string[];
  /** Stage throttling: steady requests per second, and the burst above it. */
  readonly throttleRate: number;
  readonly throttleBurst: number;
}

export const DEFAULT_API_SETTINGS: PicflowApiSettings = { auth: 'iam', corsOrigins: [], throttleRate: 50, throttleBurst: 100 };

/** Everything infra/app.ts needs to build the stack. */
export interface PicflowAppConfig {
  readonly stackName: string;
  readonly prefixes: PicflowPrefixes;
  readonly tasks: PicflowTaskSettings;
  readonly architecture: Architecture;
  readonly removalPolicy: RemovalPolicy;
  readonly logRetention: RetentionDays;
  readonly alarmEmail?: string;
  /** The HTTP API, or undefined when the context switches it off (`api=off`). */
  readonly api?: PicflowApiSettings;
  /** The backfill's settings, or false when the context switches it off (`backfill=off`). */
  readonly backfill: BackfillSettings | false;
}

/** One supported context key: its default as typed on the command line, and what it means. */
export interface ContextKeyDoc {
  readonly key: string;
  readonly default: string;
  readonly description: string;
}

/** The deployment's own context keys (parsed in parsePicflowContext below); the tasks' are in their table. */
export const DEPLOYMENT_KEYS: readonly ContextKeyDoc[] = [
  { key: 'stackName', default: 'Picflow', description: 'CloudFormation stack name' },
  { key: 'architecture', default: 'arm64', description: '`arm64` or `x86_64` (sharp is installed for the matching CPU)' },
  {
    key: 'removalPolicy',
    default: 'retain',
    description: '`retain` or `destroy` for the buckets, table, queue and log groups; `destroy` also empties the buckets',
  },
  {
    key: 'logRetentionDays',
    default: '30',
    description: 'retention of every log group, in days (1, 3, 5, 7, 14, 30, 60, 90, ...), or `infinite`',
  },
  {
    key: 'alarmEmail',
    default: '(none)',
    description: 'alarm notifications by email through an SNS topic (confirm the subscription email)',
  },
  {
    key: 'api',
    default: 'on',
    description: '`on` or `off`: the HTTP API (API Gateway, api/openapi.json) and the clean-up after a delete made in S3',
  },
  {
    key: 'apiAuth',
    default: 'iam',
    description:
      '`iam` (every call signed with SigV4), `jwt` (a bearer token from `jwtIssuer` for `jwtAudience`) or `cognito` (a bearer ' +
      'token from a Cognito user pool the stack creates; outputs its pool and client ids); never anonymous',
  },
  { key: 'jwtIssuer', default: '(none)', description: "with `apiAuth=jwt`: the OIDC issuer URL (https://...), e.g. a Cognito user pool's" },
  { key: 'jwtAudience', default: '(none)', description: 'with `apiAuth=jwt`: comma-separated audiences (client ids) a token must carry' },
  {
    key: 'cognitoSelfSignUp',
    default: 'false',
    description: 'with `apiAuth=cognito`: `true` lets anyone sign up (e-mail verified); `false`: only administrators create users',
  },
  {
    key: 'corsOrigins',
    default: '(none)',
    description: 'comma-separated origins (https://app.example.com) browsers may call the API from; none by default',
  },
  { key: 'apiThrottleRate', default: '50', description: "the API stage's steady request rate, per second" },
  { key: 'apiThrottleBurst', default: '100', description: "the API stage's burst, in requests" },
  {
    key: 'backfill',
    default: 'on',
    description: '`on` or `off`: the backfill state machine (`picflow backfill --stack`) for the images already in the bucket',
  },
  {
    key: 'backfillConcurrency',
    default: String(DEFAULT_BACKFILL_CONCURRENCY),
    description: 'objects the backfill runs through the pipeline at once (1-10000): what bounds its load on Rekognition',
  },
  {
    key: 'backfillToleratedFailurePercentage',
    default: String(DEFAULT_BACKFILL_TOLERATED_FAILURE_PERCENTAGE),
    description: 'share of failed objects (percent) after which a backfill stops and fails',
  },
];

/** Every context key the app reads: the tasks' (from their table), then the deployment's (the README's table is checked against it). */
export const CONTEXT_KEYS: readonly ContextKeyDoc[] = [
  ...CONTEXT_SETTINGS.map(([, setting]) => ({ key: setting.context!, default: setting.default ?? '(none)', description: setting.doc })),
  ...DEPLOYMENT_KEYS,
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
    problems.push(
      `stackName: "${stackName}" is not a valid CloudFormation stack name (letters, digits and hyphens, starting with a letter)`,
    );
  }

  // The tasks' settings, each by its context key through its own parser (tasks/shared/settings.ts).
  const read = readSettings(
    CONTEXT_SETTINGS.map(([name]) => name),
    (setting) => ctx.optionalString(setting.context!),
    (setting) => setting.context!,
  );
  problems.push(...read.problems);
  const value = <K extends ContextSettingName>(name: K): SettingValue<K> =>
    read.failed.has(name) ? defaultOf(name) : (read.values[name] as SettingValue<K>);
  const prefixes: PicflowPrefixes = {
    upload: value('uploadPrefix'),
    thumbnail: value('thumbnailPrefix'),
    normalized: value('normalizedPrefix'),
    analysis: value('analysisPrefix'),
  };
  // Only well-formed prefixes are compared with each other (a malformed one is reported above).
  const wellFormed = Object.fromEntries(
    Object.entries(PREFIX_SETTINGS)
      .filter(([, name]) => !read.failed.has(name))
      .map(([area]) => [area, prefixes[area as keyof PicflowPrefixes]]),
  );
  problems.push(...overlapProblems(wellFormed, PREFIX_SETTINGS));
  const tasks = Object.fromEntries(TASK_SETTING_NAMES.map((name) => [name, value(name)])) as unknown as PicflowTaskSettings;

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
      `logRetentionDays: "${retentionRaw}" is not a CloudWatch Logs retention; use one of ` +
        `${[...RETENTION_VALUES].sort((a, b) => a - b).join(', ')} or infinite`,
    );
  }

  const alarmEmailRaw = ctx.optionalString('alarmEmail');
  const alarmEmail = alarmEmailRaw?.trim() || undefined;
  if (alarmEmail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(alarmEmail)) {
    problems.push(`alarmEmail: "${alarmEmail}" is not an email address`);
  }

  const api = ctx.choice('api', { on: true, off: false }, 'on') ? apiSettings(ctx, problems) : undefined;

  const backfill = ctx.choice('backfill', { on: true, off: false }, 'on') ? backfillSettings(ctx, problems) : false;

  if (problems.length > 0) throw new PicflowContextError(problems);
  return { stackName, prefixes, tasks, architecture, removalPolicy, logRetention, alarmEmail, api, backfill };
}

/** The backfill's context keys, each problem collected. */
function backfillSettings(ctx: ContextReader, problems: string[]): BackfillSettings {
  const settings = {
    concurrency: Number(ctx.string('backfillConcurrency', String(DEFAULT_BACKFILL_CONCURRENCY))),
    toleratedFailurePercentage: Number(
      ctx.string('backfillToleratedFailurePercentage', String(DEFAULT_BACKFILL_TOLERATED_FAILURE_PERCENTAGE)),
    ),
  };
  problems.push(
    ...backfillSettingProblems(settings, { concurrency: 'backfillConcurrency', tolerated: 'backfillToleratedFailurePercentage' }),
  );
  return settings;
}

/** The API's context keys (DEPLOYMENT_KEYS), each problem collected. */
function apiSettings(ctx: ContextReader, problems: string[]): PicflowApiSettings {
  const list = (key: string) =>
    (ctx.optionalString(key) ?? '')
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean);
  const auth = ctx.choice('apiAuth', { iam: 'iam' as const, jwt: 'jwt' as const, cognito: 'cognito' as const }, 'iam');
  const jwtIssuer = ctx.optionalString('jwtIssuer')?.trim() || undefined;
  const jwtAudience = list('jwtAudience');
  if (auth === 'jwt') {
    if (!jwtIssuer || !/^https:\/\/[^\s/]+/.test(jwtIssuer))
      problems.push(`jwtIssuer: apiAuth=jwt needs the issuer's https URL${jwtIssuer ? ` (got "${jwtIssuer}")` : ''}`);
    if (jwtAudience.length === 0) problems.push('jwtAudience: apiAuth=jwt needs at least one audience (the app client id)');
  } else if (jwtIssuer || jwtAudience.length > 0) {
    const otherwise = auth === 'cognito' ? 'trusts its own user pool' : 'signs with IAM';
    problems.push(`jwtIssuer/jwtAudience: set only with apiAuth=jwt (otherwise the API ${otherwise})`);
  }
  const selfSignUpRaw = ctx.optionalString('cognitoSelfSignUp');
  const cognitoSelfSignUp = ctx.choice('cognitoSelfSignUp', { true: true, false: false }, 'false');
  if (selfSignUpRaw !== undefined && auth !== 'cognito') problems.push('cognitoSelfSignUp: set only with apiAuth=cognito');
  const corsOrigins = list('corsOrigins');
  for (const origin of corsOrigins) {
    // "*" would let every web page call the API with its visitors' tokens.
    if (!/^https?:\/\/[^\s/*]+$/.test(origin))
      problems.push(`corsOrigins: "${origin}" is not an origin (scheme://host[:port], no path, no "*")`);
  }
  const count = (key: string, fallback: number) => {
    const raw = ctx.string(key, String(fallback));
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1) problems.push(`${key}: "${raw}" is not a whole number of at least 1`);
    return Number.isInteger(value) && value >= 1 ? value : fallback;
  };
  const throttleRate = count('apiThrottleRate', DEFAULT_API_SETTINGS.throttleRate);
  const throttleBurst = count('apiThrottleBurst', DEFAULT_API_SETTINGS.throttleBurst);
  return {
    auth,
    ...(auth === 'jwt' ? { jwtIssuer, jwtAudience } : {}),
    ...(auth === 'cognito' ? { cognitoSelfSignUp } : {}),
    corsOrigins,
    throttleRate,
    throttleBurst,
  };
}

/**
 * Problems with task settings given as values (a construct's props): each is written as its
 * environment variable would hold it and read back through its parser, so a construct accepts
 * exactly what a function's environment can carry.
 */
export function taskSettingProblems(settings: Partial<PicflowTaskSettings>): string[] {
  const given = settingEntries().filter(
    ([name]) => (TASK_SETTING_NAMES as string[]).includes(name) && settings[name as TaskSettingName] !== undefined,
  );
  const environment = settingsEnvironment(settings);
  return readSettings(
    given.map(([name]) => name),
    (setting) => environment[setting.env],
    (setting) => setting.env,
  ).problems;
}

/**
 * Problems with a set of prefixes, named by `names` (context keys or construct props). Each prefix
 * must be a plain folder-like prefix (parsePrefix), and no prefix may contain another.
 */
export function prefixProblems(
  prefixes: PicflowPrefixes,
  names: Record<keyof PicflowPrefixes, string> = {
    upload: 'upload',
    thumbnail: 'thumbnail',
    normalized: 'normalized',
    analysis: 'analysis',
  },
): string[] {
  const problems: string[] = [];
  const wellFormed: Partial<PicflowPrefixes> = {};
  for (const [which, prefix] of Object.entries(prefixes) as [keyof PicflowPrefixes, string][]) {
    try {
      (wellFormed as Record<string, string>)[which] = parsePrefix(prefix);
    } catch (error) {
      if (!(error instanceof SettingError)) throw error;
      problems.push(`${names[which]}: ${error.message}`);
    }
  }
  return [...problems, ...overlapProblems(wellFormed, names)];
}

/**
 * A derived object written under the upload prefix would start a new execution for its own
 * thumbnail, and so on, forever: every prefix needs its own folder.
 */
function overlapProblems(prefixes: Partial<PicflowPrefixes>, names: Record<keyof PicflowPrefixes, string>): string[] {
  const problems: string[] = [];
  const entries = Object.entries(prefixes) as [keyof PicflowPrefixes, string][];
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

  /** One of a few names (case-insensitive), mapped to its value; anything else is a problem. */
  choice<T>(key: string, options: Record<string, T>, fallback: string): T {
    const name = this.string(key, fallback).toLowerCase();
    if (name in options) return options[name];
    const names = Object.keys(options);
    this.problems.push(`${key}: "${name}" is not ${names.slice(0, -1).join(', ')} or ${names.at(-1)}`);
    return options[fallback];
  }
}
