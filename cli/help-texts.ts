/**
 * What `picflow <command> --help` prints after commander's usage and options: examples, exit codes and
 * the environment variables each command reads. Kept in one place so every command has the same
 * sections (test/e2e/cli-help.test.ts checks that each registered command has them).
 */
import type { Command } from 'commander';

interface HelpText {
  examples: string[];
  exitCodes: string[];
  environment: string[];
  /** Said before the examples (e.g. where the command sends its work). */
  note?: string;
}

const USAGE_ERROR = '2  usage error (unknown option, invalid value, missing file) or the command could not run';
const DATA_DIR = 'PICFLOW_DATA_DIR        the local data directory (default .picflow; same as --data-dir)';
const AWS = 'AWS_PROFILE, AWS_REGION, AWS_ACCESS_KEY_ID...   credentials and region for --stack (or --region)';

const HELP: Record<string, HelpText> = {
  analyze: {
    note:
      'If `picflow dev` is running on the same data directory, analyze sends the images to it (its settings, e.g. PICFLOW_FAULTS, ' +
      'apply); otherwise it starts the local stack for the command.',
    examples: [
      'picflow analyze photo.jpg',
      'picflow analyze --json photos/ > results.json',
      'PICFLOW_FAULTS=\'{"DetectFaces":{"throttle":2}}\' picflow analyze photo.jpg',
    ],
    exitCodes: ['0  every image SUCCEEDED', '1  an image ended PARTIAL or FAILED', USAGE_ERROR],
    environment: [
      DATA_DIR,
      'PICFLOW_FAULTS          fault injection for the local analyzer (JSON)',
      "PICFLOW_REKOGNITION_TPS the local analyzer's TPS quota",
      'POWERTOOLS_LOG_LEVEL    task logs on stderr (default SILENT)',
      'ANALYSES, THUMBNAIL_SIZES, MIN_*_CONFIDENCE...   task settings (README: Configuration)',
    ],
  },
  dev: {
    examples: [
      'picflow dev',
      'picflow dev --port 5000 --workers 1',
      'aws s3 cp photo.jpg s3://picflow-local/uploads/ --endpoint-url http://127.0.0.1:4567',
    ],
    exitCodes: [
      '0  stopped by Ctrl-C / SIGINT / SIGTERM after running executions finished',
      `${USAGE_ERROR} (ports or data directory in use)`,
    ],
    environment: [
      DATA_DIR,
      'PICFLOW_FAULTS, PICFLOW_REKOGNITION_TPS   local analyzer faults and quota',
      'POWERTOOLS_LOG_LEVEL    task logs (default WARN)',
    ],
  },
  replay: {
    note:
      'Locally it goes through the running `picflow dev` when there is one. Permanent failures (corrupt, unsupported, too small or ' +
      'missing images, invalid events) are skipped and kept unless --include-permanent: `picflow dlq` lists and discards them.',
    examples: [
      'picflow replay --dry-run',
      'picflow replay',
      'picflow replay --include-permanent',
      'picflow replay --stack Picflow --concurrency 25',
    ],
    exitCodes: [
      '0  every replayed image succeeded (or nothing to replay; skipped permanent failures do not count)',
      '1  an image still fails (its message stays in the queue)',
      USAGE_ERROR,
    ],
    environment: [DATA_DIR, AWS],
  },
  redrive: {
    examples: ['picflow redrive arn:aws:states:us-east-1:123456789012:execution:ImagePipeline:name --wait'],
    exitCodes: [
      '0  redriven (with --wait: and it SUCCEEDED)',
      '1  with --wait: it ended otherwise',
      `${USAGE_ERROR} (not a redrivable execution)`,
    ],
    environment: [AWS],
  },
  dlq: {
    note:
      'Locally it goes through the running `picflow dev` when there is one, else the data directory. A failure is permanent when a ' +
      're-run must fail the same way (ImageValidationError: CORRUPT, UNSUPPORTED_FORMAT, TOO_LARGE, TOO_SMALL, EMPTY, ' +
      'DECOMPRESSION_BOMB, NOT_FOUND; InvalidEventError; Rekognition rejecting the bytes; a message with no event).',
    examples: [
      'picflow dlq list',
      'picflow dlq list --json',
      'picflow dlq discard --all-permanent',
      'picflow dlq discard 3f1c2a9e-... 77b0d5e4-...',
      'picflow dlq list --stack Picflow',
    ],
    exitCodes: [
      '0  listed (also when empty) / discarded',
      '1  discard: a named message is not in the queue (the others were discarded)',
      `${USAGE_ERROR} (no ids and no --all-permanent, no local data, no such stack)`,
    ],
    environment: [DATA_DIR, AWS],
  },
  list: {
    note:
      'Reads the running `picflow dev` when there is one, else the data directory (nothing is processed). The HTTP API (issue 8) ' +
      'calls this `query`.',
    examples: [
      'picflow list',
      'picflow list --status failed --since 1d',
      'picflow list --label dog --limit 100 --json',
      'picflow find --label dog --min-confidence 80 --json',
      'picflow list --stack Picflow --region eu-west-1',
    ],
    exitCodes: ['0  listed (also when nothing matched)', `${USAGE_ERROR} (no local data, no such stack)`],
    environment: [DATA_DIR, AWS],
  },
  show: {
    note: 'Reads the running `picflow dev` when there is one, else the data directory. The HTTP API (issue 8) calls this `get`.',
    examples: [
      'picflow show photo.jpg',
      'picflow show uploads/trip/photo.jpg --json',
      'picflow show photo.jpg --save-thumbnails ./thumbs',
      'picflow show photo.jpg --stack Picflow',
    ],
    exitCodes: ['0  shown', '1  no such image', `${USAGE_ERROR} (no local data, no such stack)`],
    environment: [DATA_DIR, AWS],
  },
  delete: {
    note:
      "Goes through the running `picflow dev`'s HTTP API when there is one, else the data directory. The HTTP API calls this DELETE " +
      '/images/{imageId}.',
    examples: ['picflow delete photo.jpg', 'picflow delete picflow-local/uploads/3f0c.png', 'picflow delete photo.jpg --stack Picflow'],
    exitCodes: ['0  deleted (also when it was already gone)', `${USAGE_ERROR} (no local data, no such stack, not an upload)`],
    environment: [DATA_DIR, AWS],
  },
  export: {
    note:
      'Reads the running `picflow dev` when there is one, else the data directory; streams every image, page by page. The HTTP API ' +
      '(issue 8) has `query` with pages instead.',
    examples: [
      'picflow export --format csv > images.csv',
      'picflow export --format jsonl --status partial',
      'picflow export --format csv --stack Picflow > images.csv',
    ],
    exitCodes: ['0  exported (also when nothing matched; the count is on stderr)', `${USAGE_ERROR} (no local data, no such stack)`],
    environment: [DATA_DIR, AWS],
  },
  backfill: {
    note:
      'Locally it starts its own stack (stop `picflow dev` first) and keeps a checkpoint in <data dir>/backfill/: run it again ' +
      'after a crash and it resumes after the last key done. With --stack it starts the deployed backfill state machine ' +
      '(README: Backfill).',
    examples: [
      'aws s3 cp ./photos s3://picflow-local/uploads/ --recursive --endpoint-url http://127.0.0.1:4567 && picflow backfill',
      'picflow backfill --prefix uploads/2024/ --reanalyse',
      'picflow backfill --stack Picflow --watch',
    ],
    exitCodes: ['0  every object analysed or skipped', '1  some objects failed (listed in the summary)', USAGE_ERROR],
    environment: [DATA_DIR, AWS, 'POWERTOOLS_LOG_LEVEL    task logs on stderr (default SILENT)'],
  },
  faces: {
    note:
      "Goes through the running `picflow dev`'s HTTP API when there is one, else starts the local stack on the data directory for the " +
      'command. The HTTP API calls this POST /faces/search.',
    examples: [
      'picflow faces search new-photo.jpg',
      'picflow faces search new-photo.jpg --threshold 90 --json',
      'picflow faces search new-photo.jpg --stack Picflow',
    ],
    exitCodes: [
      '0  searched (also when nothing matched)',
      '1  no face in the photo',
      `${USAGE_ERROR} (not a JPEG or PNG, no such stack, face indexing off)`,
    ],
    environment: [DATA_DIR, AWS, 'PERSON_MATCH_THRESHOLD  the default --threshold (80)'],
  },
  people: {
    note:
      "Goes through the running `picflow dev`'s HTTP API when there is one, else starts the local stack on the data directory for the " +
      'command. The HTTP API calls these GET /people, PATCH /people/{userId}, POST /people and POST /people/{userId}/merge. ' +
      'A merge that failed part-way is finished by running the same merge again.',
    examples: [
      'picflow people create 3f0c9a4e-1b2d-4c5e-8f70-91a2b3c4d5e6 --name Ada',
      'picflow people list',
      'picflow people name person-5d1e... "Ada Lovelace"',
      'picflow people merge person-5d1e... person-77ab...',
    ],
    exitCodes: [
      '0  done',
      '1  no such person or face',
      `${USAGE_ERROR} (no such stack, face indexing off, a face that is taken, a refused merge: another merge of them ` +
        'unfinished, or over 100 faces together)',
    ],
    environment: [DATA_DIR, AWS],
  },
};

const PROGRAM: HelpText = {
  examples: ['picflow analyze test/fixtures/images', 'picflow dev', 'picflow list --status failed', 'picflow <command> --help'],
  exitCodes: ['0  success', '1  an image did not fully succeed (analyze, replay), or the thing asked for is missing (show)', USAGE_ERROR],
  environment: [DATA_DIR, AWS, 'PICFLOW_FAULTS, PICFLOW_REKOGNITION_TPS   local analyzer faults and quota'],
};

/** Adds the sections to the program and to every command registered so far (a sub-command, e.g. `dlq list`, gets its parent's). */
export function addHelpTexts(program: Command): void {
  program.addHelpText('after', render(PROGRAM));
  for (const command of program.commands) {
    const help = HELP[command.name()];
    if (!help) continue;
    for (const each of [command, ...command.commands]) each.addHelpText('after', render(help));
  }
}

function render(help: HelpText): string {
  return [
    '',
    ...(help.note ? [help.note, ''] : []),
    'Examples:',
    ...help.examples.map((e) => `  $ ${e}`),
    '',
    'Exit codes:',
    ...help.exitCodes.map((c) => `  ${c}`),
    '',
    'Environment:',
    ...help.environment.map((v) => `  ${v}`),
  ].join('\n');
}
