/**
 * package.json's engines.node against what the deployment needs: sharp's Lambda binaries are picked
 * with npm_config_libc (infra/constructs/task-functions.ts), which npm understands from 10.2 on, the
 * npm that ships with Node 20.10. An older Node would install the build machine's binaries silently.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../infra/constructs/task-functions';

const readJson = (file: string) => JSON.parse(readFileSync(join(REPO_ROOT, file), 'utf8'));

/** The lowest version a `>=MAJOR.MINOR[.PATCH]` range admits, as [major, minor, patch]. */
function lowestAdmitted(range: string): number[] {
  const match = /^>=\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(range.trim());
  if (!match) throw new Error(`engines.node "${range}" is not a plain >= range`);
  return [Number(match[1]), Number(match[2] ?? 0), Number(match[3] ?? 0)];
}

describe('engines.node', () => {
  it('admits no Node older than 20.10 (npm 10.2: --libc), and the lock file says the same', () => {
    // Prepare
    const pkg = readJson('package.json');
    const lock = readJson('package-lock.json');

    // Act
    const [major, minor] = lowestAdmitted(pkg.engines.node);

    // Assess
    expect(major > 20 || (major === 20 && minor >= 10)).toBe(true);
    expect(lock.packages[''].engines).toEqual(pkg.engines);
  });
});
