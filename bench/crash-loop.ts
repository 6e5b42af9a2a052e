// The crash loop of issue 15 at full length (test/e2e/crash-loop.ts): 10 iterations of 20 concurrent
// 1-3 MB PUTs to `picflow dev`, each SIGKILLed at a seeded random moment, then one recovery and the checks.
//   npm run bench:crash -- [--iterations 10] [--seed N]   (default seed: random, printed)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runCrashLoop } from '../test/e2e/crash-loop';

const { values } = parseArgs({ options: { iterations: { type: 'string', default: '10' }, seed: { type: 'string' } } });
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
const dataDir = mkdtempSync(join(tmpdir(), 'picflow-crash-loop-'));
console.log(`crash loop: seed ${seed}, ${values.iterations} iterations, data in ${dataDir}`);
runCrashLoop({ dataDir, iterations: Number(values.iterations), seed, log: (line) => console.log(line) })
  .then((result) => {
    console.log(JSON.stringify(result, null, 2));
    const ok =
      result.acknowledgedIntact === result.putsAcknowledged &&
      result.unacknowledgedIntact === result.unacknowledgedStored &&
      result.objectsWithOneFinalItem === result.objects &&
      result.stuck.length === 0 &&
      result.orphanItems.length === 0 &&
      result.deadLettersForSucceeded.length === 0;
    console.log(ok ? 'crash loop: every check held' : 'crash loop: CHECKS FAILED');
    rmSync(dataDir, { recursive: true, force: true });
    process.exitCode = ok ? 0 : 1;
  })
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
