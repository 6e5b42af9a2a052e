/**
 * picflow as a package in someone else's CDK app: test/infra/consumer-app/app.ts (the README's example)
 * is copied into a folder outside the repository whose node_modules links picflow the way
 * `npm install <path>` does, and run as `cdk synth` runs an app (bundling skipped: no esbuild run, no npm
 * install). It must synthesize with cdk-nag's AwsSolutions pack clean, on an imported bucket, loading
 * nothing but picflow's runtime dependencies.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../infra/constructs/task-functions';

jest.setTimeout(120_000);

/** A consumer project: the app's files, and node_modules with picflow plus what the app itself imports. */
function consumerProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'picflow-consumer-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(REPO_ROOT, join(dir, 'node_modules', 'picflow'), 'dir');
  for (const name of ['aws-cdk-lib', 'constructs', 'cdk-nag']) {
    symlinkSync(join(REPO_ROOT, 'node_modules', name), join(dir, 'node_modules', name), 'dir');
  }
  for (const file of ['app.ts', 'loaded-packages.ts']) copyFileSync(join(__dirname, 'consumer-app', file), join(dir, file));
  return dir;
}

/** Runs a TypeScript file of the project with tsx, in the project's folder, as `cdk synth` would run the app. */
function run(dir: string, file: string, env: NodeJS.ProcessEnv = {}) {
  return spawnSync(join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), [file], {
    cwd: dir,
    env: { ...process.env, AWS_EC2_METADATA_DISABLED: 'true', ...env },
    encoding: 'utf8',
    timeout: 110_000,
  });
}

describe('ImagePipeline installed into another CDK app', () => {
  let dir: string;
  beforeAll(() => {
    dir = consumerProject();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('synthesizes from the package entry point on an imported bucket, cdk-nag clean', () => {
    // Prepare
    const out = join(dir, 'cdk.out');

    // Act
    const result = run(dir, 'app.ts', { CDK_OUTDIR: out, CDK_CONTEXT_JSON: JSON.stringify({ 'aws:cdk:bundling-stacks': [] }) });

    // Assess: a nag finding would fail the synth (exit 1, the finding on stderr).
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
    const template = JSON.parse(readFileSync(join(out, 'PhotoLibrary.template.json'), 'utf8'));
    const resources = Object.values(template.Resources) as { Type: string; Properties: Record<string, unknown> }[];
    const rules = resources.filter((r) => r.Type === 'AWS::Events::Rule').map((r) => r.Properties.EventPattern);
    expect(rules).toContainEqual({
      source: ['aws.s3'],
      'detail-type': ['Object Created'],
      detail: { bucket: { name: ['my-existing-photos'] }, object: { key: [{ prefix: 'camera/2024/' }, { prefix: 'camera/2025/' }] } },
    });
    expect(resources.filter((r) => r.Type === 'AWS::S3::Bucket')).toEqual([]);
    const outputs = Object.values(template.Outputs) as { Value: string }[];
    expect(outputs.map((o) => o.Value)).toContainEqual(
      expect.stringContaining('put-bucket-notification-configuration --bucket my-existing-photos'),
    );
  });

  it('is the example the README shows under "Use it in your own CDK app"', () => {
    // Prepare
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Use it in your own CDK app'));

    // Act
    const example = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    const app = readFileSync(join(__dirname, 'consumer-app', 'app.ts'), 'utf8');

    // Assess
    expect(example).toBe(
      `${app
        .split('\n')
        .filter((line) => !line.startsWith('//'))
        .join('\n')
        .trim()}\n`,
    );
  });

  it('loads only packages picflow lists as dependencies (no devDependency such as cdk-nag)', () => {
    // Prepare
    const { dependencies } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };

    // Act
    const result = run(dir, 'loaded-packages.ts');

    // Assess
    expect(result.status).toBe(0);
    const loaded = JSON.parse(result.stdout) as string[];
    expect(loaded).toContain('aws-cdk-lib');
    expect(loaded.filter((name) => !(name in dependencies))).toEqual([]);
  });
});
