/**
 * Every setting the tasks read, in one table: its environment variable, its CDK context key, its
 * default, its parser and what it means. Derived from it: the tasks' configuration (loadConfig), the
 * CDK context handling and each function's environment (infra/config.ts, taskEnvironment), the local
 * stack's configuration and the README's two settings tables (test/docs/readme.test.ts checks them).
 * Adding a setting is one entry here plus its use.
 */

/** A setting's value could not be read; the loaders prefix the message with the variable or key name. */
export class SettingError extends Error {
  override readonly name = 'SettingError';
}

/** One row of the table. */
export interface Setting<T> {
  /** The environment variable a task reads it from (Lambda: set by the CDK app; locally: by the local stack). */
  readonly env: string;
  /** The CDK context key (`-c key=value`); absent for what the app wires itself (the table's name, the queue's URL). */
  readonly context?: string;
  /** The default, written as in the environment; absent: required (`required`) or unset. */
  readonly default?: string;
  /** Unset is a configuration error. */
  readonly required?: boolean;
  /** An empty or blank value counts as unset (numbers: `MAX_LABELS=` means the default). */
  readonly blankIsUnset?: boolean;
  /** Text to value; throws SettingError saying what is wrong (without the name). */
  parse(raw: string): T;
  /** Value back to text, for the environment of a function; @default String(value) */
  format?(value: T): string;
  /** One line for the README. */
  readonly doc: string;
  /** How the README shows the default, when not verbatim. */
  readonly docDefault?: string;
}

export type Analysis = 'faces' | 'labels' | 'text' | 'moderation';
export const ALL_ANALYSES: readonly Analysis[] = ['faces', 'labels', 'text', 'moderation'];

export interface ThumbnailSpec {
  name: string;
  width: number;
  height: number;
  fit: 'cover' | 'inside';
}

/** Parses `128x128:cover,512x512:inside` into thumbnail specs named `cover-128x128`, `inside-512x512`. */
export function parseThumbnailSizes(spec: string): ThumbnailSpec[] {
  const sizes = spec
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const match = /^(\d+)x(\d+)(?::(cover|inside))?$/.exec(part);
      if (!match) throw new SettingError(`"${part}" is not WIDTHxHEIGHT[:cover|:inside], e.g. 128x128:cover`);
      const [, w, h, fit = 'inside'] = match;
      const width = Number(w);
      const height = Number(h);
      if (width < 1 || height < 1 || width > 4096 || height > 4096) {
        throw new SettingError(`"${part}" must be between 1 and 4096 pixels on each side`);
      }
      return { name: `${fit}-${width}x${height}`, width, height, fit: fit as ThumbnailSpec['fit'] };
    });
  if (sizes.length === 0) throw new SettingError('give at least one size, e.g. 128x128:cover');
  return sizes;
}

function formatThumbnailSizes(specs: readonly ThumbnailSpec[]): string {
  return specs.map((s) => `${s.width}x${s.height}:${s.fit}`).join(',');
}

/**
 * Comma-separated analyses, duplicates dropped. Empty (what the function's environment holds for a
 * thumbnails-only pipeline) or `none` enable none; a list that names nothing (` , `) is a typo.
 */
export function parseAnalyses(spec: string): Analysis[] {
  if (spec.trim().toLowerCase() === 'none' || spec.trim() === '') return [];
  const names = spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (names.length === 0)
    throw new SettingError('give at least one of faces, labels, text, moderation, or `none` for a thumbnails-only pipeline');
  for (const name of names) {
    if (!ALL_ANALYSES.includes(name as Analysis)) throw new SettingError(`"${name}" is not one of ${ALL_ANALYSES.join(', ')}`);
  }
  return [...new Set(names as Analysis[])];
}

const PREFIX_ENDS = 'ending with "/" and not starting with "/" (e.g. "uploads/")';

/**
 * A plain folder-like key prefix: it ends up in an IAM resource ARN and an event pattern, where `*`
 * or `?` would widen both.
 */
export function parsePrefix(prefix: string): string {
  if (!/^[A-Za-z0-9!_.'()-]+(\/[A-Za-z0-9!_.'()-]+)*\/$/.test(prefix)) {
    throw new SettingError(`"${prefix}" must be a non-empty key prefix of letters, digits and !_.'()- segments, ${PREFIX_ENDS}`);
  }
  if (prefix.split('/').some((segment) => segment === '.' || segment === '..')) {
    throw new SettingError(`"${prefix}" must not contain "." or ".." segments`);
  }
  return prefix;
}

const prefix = { parse: parsePrefix };

function wholeNumber(min: number, max = Number.MAX_SAFE_INTEGER) {
  return {
    blankIsUnset: true,
    parse(raw: string): number {
      const value = Number(raw);
      if (!Number.isInteger(value) || value < min || value > max)
        throw new SettingError(`"${raw}" is not a whole number between ${min} and ${max}`);
      return value;
    },
  };
}

/** (0, 100]: Rekognition's confidences. */
const percentage = {
  blankIsUnset: true,
  parse(raw: string): number {
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0 || value > 100)
      throw new SettingError(`"${raw}" is not a confidence percentage greater than 0 and at most 100`);
    return value;
  },
};

/** `true` or `false`, nothing else: a typo must not silently switch face indexing off or on. */
const flag = {
  blankIsUnset: true,
  parse(raw: string): boolean {
    if (raw !== 'true' && raw !== 'false') throw new SettingError(`"${raw}" is not true or false`);
    return raw === 'true';
  },
};

/** The table. Its keys are the fields of PicflowConfig (tasks/shared/config.ts). */
export const SETTINGS = {
  tableName: {
    env: 'TABLE_NAME',
    required: true,
    blankIsUnset: true,
    parse: (raw: string) => raw,
    doc: 'the images table (the CDK app and the local stack set it)',
    docDefault: '(required)',
  },
  uploadPrefix: {
    env: 'UPLOAD_PREFIX',
    context: 'uploadPrefix',
    default: 'uploads/',
    ...prefix,
    doc: 'only objects created under this prefix start the pipeline',
  },
  thumbnailPrefix: {
    env: 'THUMBNAIL_PREFIX',
    context: 'thumbnailPrefix',
    default: 'thumbnails/',
    ...prefix,
    doc: 'where thumbnails are written (never triggers the pipeline)',
  },
  normalizedPrefix: {
    env: 'NORMALIZED_PREFIX',
    context: 'normalizedPrefix',
    default: 'normalized/',
    ...prefix,
    doc: 'where JPEG copies made for Rekognition are written',
  },
  analysisPrefix: {
    env: 'ANALYSIS_PREFIX',
    context: 'analysisPrefix',
    default: 'analysis/',
    ...prefix,
    doc: 'where full Rekognition responses are written',
  },
  thumbnails: {
    env: 'THUMBNAIL_SIZES',
    context: 'thumbnailSizes',
    default: '128x128:cover,512x512:inside',
    parse: parseThumbnailSizes,
    format: formatThumbnailSizes,
    doc: '`WIDTHxHEIGHT[:cover\\|:inside]`, comma-separated; named `cover-128x128`, `inside-512x512`',
  },
  analyses: {
    env: 'ANALYSES',
    context: 'analyses',
    default: ALL_ANALYSES.join(','),
    parse: parseAnalyses,
    format: (analyses: readonly Analysis[]) => analyses.join(','),
    doc:
      'enabled analyses, or `none` for thumbnails only; a disabled analysis is `SKIPPED` (moderation then reads `unavailable`) and ' +
      'loses its Rekognition permission',
  },
  maxImageBytes: {
    env: 'MAX_IMAGE_BYTES',
    context: 'maxImageBytes',
    default: String(50 * 1024 * 1024),
    ...wholeNumber(1),
    doc: 'larger uploads are rejected (50 MiB)',
  },
  maxImagePixels: {
    env: 'MAX_IMAGE_PIXELS',
    context: 'maxImagePixels',
    default: '100000000',
    ...wholeNumber(1),
    doc:
      'images with more pixels are rejected from their header, before decoding (decompression bombs); 100 MP passes a 12 MP phone ' +
      'photo 8 times over',
  },
  minLabelConfidence: {
    env: 'MIN_LABEL_CONFIDENCE',
    context: 'minLabelConfidence',
    default: '70',
    ...percentage,
    doc: 'DetectLabels `MinConfidence` (0-100]',
  },
  maxLabels: { env: 'MAX_LABELS', context: 'maxLabels', default: '25', ...wholeNumber(1, 1000), doc: 'DetectLabels `MaxLabels`' },
  imageProperties: {
    env: 'IMAGE_PROPERTIES',
    context: 'imageProperties',
    default: 'true',
    parse(raw: string): boolean {
      if (raw !== 'true' && raw !== 'false') throw new SettingError(`"${raw}" is not true or false`);
      return raw === 'true';
    },
    doc:
      'DetectLabels also asks for `IMAGE_PROPERTIES` (dominant colours, brightness, sharpness, contrast), stored as `colors` and ' +
      '`imageQuality`; priced separately from the labels',
  },
  minTextConfidence: {
    env: 'MIN_TEXT_CONFIDENCE',
    context: 'minTextConfidence',
    default: '80',
    ...percentage,
    doc: 'DetectText lines below this confidence are dropped (0-100]',
  },
  minModerationConfidence: {
    env: 'MIN_MODERATION_CONFIDENCE',
    context: 'minModerationConfidence',
    default: '60',
    ...percentage,
    doc: 'DetectModerationLabels `MinConfidence` (0-100]',
  },
  faceIndexing: {
    env: 'FACE_INDEXING',
    context: 'faceIndexing',
    default: 'true',
    ...flag,
    doc:
      "index the faces found in each photo in the stack's Rekognition face collection (IndexFaces), so people can be searched and " +
      'tagged. Privacy: face vectors are biometric data; they are kept until their photo is deleted or replaced, then deleted from ' +
      'the collection. `false`: DetectFaces only, nothing is stored in the collection',
  },
  faceCollectionId: {
    env: 'FACE_COLLECTION_ID',
    blankIsUnset: true,
    parse: (raw: string): string | undefined => raw,
    doc: 'the Rekognition face collection (the CDK app creates it; the local stack creates `picflow-faces`)',
    docDefault: '(set by the app)',
  },
  personMatchThreshold: {
    env: 'PERSON_MATCH_THRESHOLD',
    context: 'personMatchThreshold',
    default: '80',
    ...percentage,
    doc:
      "SearchUsers `UserMatchThreshold` (0-100] for tagging named people on upload; 80 is Rekognition's own default (locally: " +
      '100 % true and 1.4 % false matches on the calibration set, local/rekognition/README.md)',
  },
  celebrities: {
    env: 'CELEBRITIES',
    context: 'celebrities',
    default: 'false',
    ...flag,
    doc: 'RecognizeCelebrities in the faces branch (AWS only: locally the item reads `celebrities.status` `unavailable`)',
  },
  claimTimeoutSeconds: {
    env: 'CLAIM_TIMEOUT_SECONDS',
    context: 'claimTimeoutSeconds',
    default: '7200',
    ...wholeNumber(1),
    // The definition's TimeoutSeconds: by then the claiming execution can no longer be running, so a takeover never races a live one.
    doc: 'a PROCESSING claim older than this may be taken over by a new execution; keep it at least the state machine timeout (2 h)',
  },
  analyzerName: {
    env: 'ANALYZER_NAME',
    context: 'analyzerName',
    default: 'amazon-rekognition',
    parse(raw: string): string {
      if (raw.trim() === '' || raw.length > 100) throw new SettingError('give a non-empty name of at most 100 characters');
      return raw;
    },
    doc: 'stored on each item as `analyzer`',
  },
  rekognitionMaxAttempts: {
    env: 'REKOGNITION_MAX_ATTEMPTS',
    context: 'rekognitionMaxAttempts',
    default: '1',
    ...wholeNumber(1, 10),
    doc: 'SDK-level attempts per Rekognition call (1-10); 1 leaves retries to the state machine, where they are visible',
  },
  s3ForcePathStyle: {
    env: 'S3_FORCE_PATH_STYLE',
    default: 'false',
    parse: (raw: string) => raw === 'true',
    doc: 'path-style S3 addressing (`true` for S3-compatible servers on an IP address; the local stack sets it)',
  },
  deadLetterQueueUrl: {
    env: 'DEAD_LETTER_QUEUE_URL',
    blankIsUnset: true,
    parse: (raw: string): string | undefined => raw,
    // The state machine's SendToDeadLetterQueue state has the URL in the definition; only the net sends itself.
    doc: 'the dead-letter queue, for the one function that sends to it itself (the execution-status net)',
    docDefault: '(set by the app)',
  },
  // biome-ignore lint/suspicious/noExplicitAny: each row has its own value type; `unknown` would erase them
} satisfies Record<string, Setting<any>>;

export type SettingName = keyof typeof SETTINGS;
/** The value type of one setting: what its parser returns. */
export type SettingValue<K extends SettingName> = ReturnType<(typeof SETTINGS)[K]['parse']>;
/** Settings with a CDK context key. */
export type ContextSettingName = { [K in SettingName]: (typeof SETTINGS)[K] extends { context: string } ? K : never }[SettingName];

/** Every setting of the table, typed loosely: for loops that treat all of them alike. */
export function settingEntries(): [SettingName, Setting<unknown>][] {
  return Object.entries(SETTINGS) as [SettingName, Setting<unknown>][];
}

/**
 * Reads settings by name through `raw` (an environment, a CDK context): unset ones take their
 * default. Returns the values read and one problem per setting that could not be read, named by `label`.
 */
export function readSettings(
  names: readonly SettingName[],
  raw: (setting: Setting<unknown>) => string | undefined,
  label: (setting: Setting<unknown>) => string,
): { values: Partial<Record<SettingName, unknown>>; problems: string[]; failed: Set<SettingName> } {
  const values: Partial<Record<SettingName, unknown>> = {};
  const problems: string[] = [];
  const failed = new Set<SettingName>();
  for (const name of names) {
    const setting = SETTINGS[name] as Setting<unknown>;
    const given = raw(setting);
    const text = given === undefined || (setting.blankIsUnset && given.trim() === '') ? setting.default : given;
    if (text === undefined) {
      if (setting.required) {
        problems.push(`${label(setting)} is not set`);
        failed.add(name);
      }
      values[name] = undefined;
      continue;
    }
    try {
      values[name] = setting.parse(text);
    } catch (error) {
      if (!(error instanceof SettingError)) throw error;
      problems.push(`${label(setting)}: ${error.message}`);
      failed.add(name);
    }
  }
  return { values, problems, failed };
}

/** The default value of a setting, parsed. */
export function defaultOf<K extends SettingName>(name: K): SettingValue<K> {
  const setting = SETTINGS[name] as Setting<unknown>;
  return (setting.default === undefined ? undefined : setting.parse(setting.default)) as SettingValue<K>;
}

/** The environment variables that carry `values` (unset values are left out). */
export function settingsEnvironment(values: { [K in SettingName]?: SettingValue<K> }): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const [name, setting] of settingEntries()) {
    const value = values[name];
    if (value === undefined) continue;
    environment[setting.env] = setting.format ? setting.format(value) : String(value);
  }
  return environment;
}
