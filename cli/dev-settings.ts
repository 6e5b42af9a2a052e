/**
 * The settings a pipeline takes from its environment, and the check `picflow analyze` makes when it
 * goes through a running `picflow dev`: that server's pipeline (analyzer faults and quota, task
 * configuration) is already set, so values given to analyze cannot apply. It says which, and how.
 */

/** Variables read by the local stack and the tasks when the pipeline starts (README: Configuration). */
export const PIPELINE_SETTINGS = [
  'PICFLOW_FAULTS',
  'PICFLOW_REKOGNITION_TPS',
  'ANALYSES',
  'THUMBNAIL_SIZES',
  'MAX_IMAGE_BYTES',
  'MAX_IMAGE_PIXELS',
  'MIN_LABEL_CONFIDENCE',
  'MAX_LABELS',
  'IMAGE_PROPERTIES',
  'MIN_TEXT_CONFIDENCE',
  'MIN_MODERATION_CONFIDENCE',
  'CLAIM_TIMEOUT_SECONDS',
  'REKOGNITION_MAX_ATTEMPTS',
  'UPLOAD_PREFIX',
  'THUMBNAIL_PREFIX',
  'NORMALIZED_PREFIX',
  'ANALYSIS_PREFIX',
] as const;

/** The pipeline settings set in `env`, to record with a running server (dev.json). */
export function pipelineSettings(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(PIPELINE_SETTINGS.filter((name) => env[name] !== undefined).map((name) => [name, env[name]!]));
}

/**
 * The warning for settings given here that differ from the running server's (undefined when none do):
 * each variable named, and how to have it apply.
 */
export function ignoredSettingsWarning(
  env: NodeJS.ProcessEnv,
  server: Record<string, string> | undefined,
  pid: number,
  options: string[] = [],
): string | undefined {
  const mine = pipelineSettings(env);
  const differing = PIPELINE_SETTINGS.filter((name) => mine[name] !== server?.[name] && (mine[name] !== undefined || server !== undefined));
  const names = [...differing.map((name) => (mine[name] === undefined ? `${name} (unset here, set on the server)` : name)), ...options];
  if (names.length === 0) return undefined;
  return (
    `picflow analyze: using the running picflow dev (pid ${pid}); its own settings apply, so ${names.join(', ')} given here ` +
    `${names.length === 1 ? 'is' : 'are'} ignored.\n` +
    `  To use them, stop picflow dev and run analyze alone, or restart picflow dev with them (e.g. PICFLOW_FAULTS=... npx picflow dev).\n`
  );
}
