/** The `picflow` command line: one sub-command per file in this folder. */
import { Command, Option } from 'commander';
import { analyzeCommand } from './analyze';
import { backfillCommand } from './backfill';
import { deleteCommand } from './delete';
import { devCommand } from './dev';
import { dlqCommand } from './dlq';
import { exportCommand } from './export';
import { facesCommand, peopleCommand } from './faces';
import { addHelpTexts } from './help-texts';
import { listCommand } from './list';
import { redriveCommand } from './redrive';
import { replayCommand } from './replay';
import { showCommand } from './show';
import { defaultDataDir, limitImageThreads } from '../local/stack/local-stack';
import { version } from '../package.json';

// The AWS SDK warns about Node 20 on every client; picflow supports Node 20 on purpose (see README).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// This process owns the local runtime of `analyze`, `dev` and `replay`: sharp's thread pool is set here, once.
limitImageThreads();

const program = new Command()
  .name('picflow')
  .description('Analyse images with the picflow pipeline: locally with open models, or on AWS.')
  .version(version)
  .addOption(
    new Option('--data-dir <dir>', 'where the local stack keeps objects, items, the DLQ and executions')
      .env('PICFLOW_DATA_DIR')
      .default(defaultDataDir(), '.picflow'),
  )
  .showHelpAfterError()
  // A usage error (unknown option, bad value, missing argument) exits 2, as documented; 1 means an image failed.
  .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2));

analyzeCommand(program);
devCommand(program);
replayCommand(program);
redriveCommand(program);
dlqCommand(program);
listCommand(program);
showCommand(program);
deleteCommand(program);
exportCommand(program);
backfillCommand(program);
facesCommand(program);
peopleCommand(program);
addHelpTexts(program);

program.parseAsync(process.argv).catch((error: Error) => {
  process.stderr.write(`picflow: ${error.message}\n`);
  process.exitCode = process.exitCode || 2;
  // A failed command has closed what it opened; should anything still hold the process (a socket,
  // a worker), leave anyway rather than hang with the message printed and no prompt.
  setTimeout(() => process.exit(), 5_000).unref();
});
