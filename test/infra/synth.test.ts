// The real thing, as a user runs it: `npx cdk synth` offline, with no AWS credentials, bundling every
// function with esbuild (no Docker) and cdk-nag's AwsSolutions checks on. The other infra tests skip
// bundling for speed; this one proves the deployable artifact: sharp for the function's CPU.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

jest.setTimeout(180_000);

const ROOT = join(__dirname, '..', '..');

describe('cdk synth (with bundling)', () => {
  const out = mkdtempSync(join(tmpdir(), 'picflow-synth-'));
  let result: ReturnType<typeof spawnSync>;

  beforeAll(() => {
    const env: NodeJS.ProcessEnv = { ...process.env, AWS_EC2_METADATA_DISABLED: 'true', CDK_DISABLE_CLI_TELEMETRY: 'true' };
    delete env.AWS_ACCESS_KEY_ID;
    delete env.AWS_SECRET_ACCESS_KEY;
    result = spawnSync('npx', ['cdk', 'synth', '--no-notices', '-q', '-o', out], { cwd: ROOT, env, encoding: 'utf8', timeout: 170_000 });
  });

  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('succeeds offline without credentials, cdk-nag clean', () => {
    expect({
      status: result.status,
      stderr: String(result.stderr)
        .split('\n')
        .filter((l) => /error|AwsSolutions/i.test(l)),
    }).toEqual({ status: 0, stderr: [] });
  });

  it('deploys STANDARD state machines from the definition files (the pipeline and the backfill)', () => {
    const template = JSON.parse(readFileSync(join(out, 'Picflow.template.json'), 'utf8')) as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
    };
    const machines = Object.values(template.Resources).filter((r) => r.Type === 'AWS::StepFunctions::StateMachine');
    expect(machines).toHaveLength(2);
    expect(machines.map((m) => m.Properties.StateMachineType)).toEqual(['STANDARD', 'STANDARD']);
  });

  it('bundles sharp with its arm64 Linux binaries for the image functions (default architecture)', () => {
    const assets = readdirSync(out).filter((name) => name.startsWith('asset.'));
    const withSharp = assets.filter((asset) => existsSync(join(out, asset, 'node_modules', 'sharp')));
    expect(withSharp).toHaveLength(2); // ValidateImage and CreateThumbnails
    for (const asset of withSharp) {
      expect(existsSync(join(out, asset, 'node_modules', '@img', 'sharp-linux-arm64'))).toBe(true);
      expect(existsSync(join(out, asset, 'node_modules', '@img', 'sharp-linux-x64'))).toBe(false);
    }
  });
});
