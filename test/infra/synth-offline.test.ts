// `cdk synth` as a new user runs it offline: npm's cache holds sharp (installed for this machine) but not
// sharp's linux-arm64 binaries, which are optional dependencies, so `npm ci` in the asset skips them
// without an error. The synth must fail and say what to do instead of writing functions that cannot
// load sharp. (This machine can reach the registry, so the cache is built here: sharp and its regular
// dependencies only, then npm runs with --offline.)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

jest.setTimeout(180_000);

const ROOT = join(__dirname, '..', '..');

/** sharp and its non-optional dependencies, pinned as package-lock.json pins them. */
function sharpWithoutPlatformPackages(): string[] {
  const { packages } = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version: string; dependencies?: Record<string, string> }>;
  };
  const sharp = packages['node_modules/sharp'];
  return [
    `sharp@${sharp.version}`,
    ...Object.keys(sharp.dependencies ?? {}).map((name) => `${name}@${packages[`node_modules/${name}`].version}`),
  ];
}

describe("cdk synth offline, without sharp's arm64 binaries in npm's cache", () => {
  const cache = mkdtempSync(join(tmpdir(), 'picflow-npm-cache-'));
  const out = mkdtempSync(join(tmpdir(), 'picflow-synth-offline-'));
  let result: ReturnType<typeof spawnSync>;

  beforeAll(() => {
    const seeded = spawnSync('npm', ['cache', 'add', ...sharpWithoutPlatformPackages(), '--cache', cache], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 120_000,
    });
    if (seeded.status !== 0) throw new Error(`could not prepare the npm cache (needs the registry once): ${seeded.stderr}`);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      AWS_EC2_METADATA_DISABLED: 'true',
      CDK_DISABLE_CLI_TELEMETRY: 'true',
      npm_config_cache: cache,
      npm_config_offline: 'true',
    };
    delete env.AWS_ACCESS_KEY_ID;
    delete env.AWS_SECRET_ACCESS_KEY;
    result = spawnSync('npx', ['cdk', 'synth', '--no-notices', '-q', '-o', out], { cwd: ROOT, env, encoding: 'utf8', timeout: 170_000 });
  });

  afterAll(() => {
    rmSync(out, { recursive: true, force: true });
    rmSync(cache, { recursive: true, force: true });
  });

  it('fails, naming the missing binaries and how to get them', () => {
    const stderr = String(result.stderr);
    expect(result.status).not.toBe(0);
    expect(stderr).toContain(
      'ValidateImage: the bundled function has sharp but not its linux-arm64 binaries (@img/sharp-linux-arm64, @img/sharp-libvips-linux-arm64 missing',
    );
    expect(stderr).toMatch(/npm cache add @img\/sharp-linux-arm64@\d+\.\d+\.\d+ @img\/sharp-libvips-linux-arm64@\d+\.\d+\.\d+`/);
  });

  it('writes no template a deploy could use', () => {
    expect(() => readFileSync(join(out, 'Picflow.template.json'))).toThrow();
  });
});
