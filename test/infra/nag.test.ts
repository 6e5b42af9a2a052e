/**
 * cdk-nag's AwsSolutions pack, as infra/app.ts registers it: the stack synthesizes with zero
 * unacknowledged findings (and no CloudFormation validation warnings), every acknowledgement is narrow
 * and explained, and the check demonstrably fails on a real finding, so "zero" is not vacuous.
 */
import { type App, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Architecture } from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { addNagChecks } from '../../infra/nag';
import { PicflowStack, type PicflowStackProps } from '../../infra/picflow-stack';
import { newApp } from './helpers';

interface ValidationReport {
  pluginReports: { pluginName: string; conclusion: string; violations: { ruleName: string; severity: string }[] }[];
}

/** Synthesizes the app as `cdk synth` would (nag registered), returning the validation report it wrote. */
function synthWithNag(app: App): ValidationReport {
  addNagChecks(app);
  const assembly = app.synth();
  return JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8'));
}

function picflowApp(props: Partial<PicflowStackProps> = {}): { app: App; stack: PicflowStack } {
  const app = newApp();
  const stack = new PicflowStack(app, 'PicflowNag', props);
  return { app, stack };
}

/** Every acknowledgement recorded in the construct tree: [construct path, rule id, reason]. */
function acknowledgements(root: IConstruct): [string, string, string][] {
  return root.node
    .findAll()
    .flatMap((construct) =>
      construct.node.metadata
        .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((entry) =>
          Object.entries(entry.data as Record<string, string>).map(
            ([id, reason]) => [construct.node.path, id, reason] as [string, string, string],
          ),
        ),
    );
}

describe('cdk-nag AwsSolutions', () => {
  it('finds nothing unacknowledged in the default stack, and CloudFormation validation finds nothing either', () => {
    // Prepare
    const { app } = picflowApp();

    // Act
    const direct = new AwsSolutionsChecks().validateScope(app);
    const report = synthWithNag(app);

    // Assess
    expect(direct.violations).toEqual([]);
    expect(report.pluginReports.flatMap((r) => r.violations.map((v) => `${r.pluginName}: ${v.ruleName} (${v.severity})`))).toEqual([]);
  });

  it('finds nothing unacknowledged with every option switched (destroy, email, x86_64, some analyses)', () => {
    // Prepare
    const { app } = picflowApp({
      removalPolicy: RemovalPolicy.DESTROY,
      alarmEmail: 'ops@example.com',
      architecture: Architecture.X86_64,
      taskSettings: { analyses: ['labels'] },
      prefixes: { upload: 'in/', thumbnail: 'out/thumbs/' },
    });

    // Act
    const direct = new AwsSolutionsChecks().validateScope(app);
    const report = synthWithNag(app);

    // Assess
    expect(direct.violations).toEqual([]);
    expect(report.pluginReports.flatMap((r) => r.violations.map((v) => `${r.pluginName}: ${v.ruleName}`))).toEqual([]);
  });

  it('finds nothing unacknowledged with the Cognito user pool (apiAuth=cognito, self sign-up), only COG2 and COG8 acknowledged', () => {
    // Prepare
    const { app, stack } = picflowApp({ api: { auth: 'cognito', cognitoSelfSignUp: true } });

    // Act
    const direct = new AwsSolutionsChecks().validateScope(app);
    const report = synthWithNag(app);

    // Assess
    expect(direct.violations).toEqual([]);
    expect(report.pluginReports.flatMap((r) => r.violations.map((v) => `${r.pluginName}: ${v.ruleName}`))).toEqual([]);
    const poolAcks = acknowledgements(stack.api!.users!).filter(([, id]) => id.includes('AwsSolutions-'));
    expect([...new Set(poolAcks.map(([, id]) => id.replace(/^Annotation::/, '')))].sort()).toEqual([
      'AwsSolutions-COG2',
      'AwsSolutions-COG8',
    ]);
    for (const [, , reason] of poolAcks) expect(reason.length).toBeGreaterThanOrEqual(60);
  });

  it('acknowledges only specific findings, each with a written reason', () => {
    // Prepare
    const { app } = picflowApp({ alarmEmail: 'ops@example.com' });

    // Act
    const acks = acknowledgements(app).filter(([, id]) => id.includes('AwsSolutions-'));
    const ids = [...new Set(acks.map(([, id]) => id.replace(/^Annotation::/, '').replace(/<[^>]+>/, '<Bucket.Arn>')))].sort();

    // Assess
    expect(ids).toEqual([
      'AwsSolutions-IAM5[Resource::*]',
      'AwsSolutions-IAM5[Resource::<Bucket.Arn>/analysis/*]',
      'AwsSolutions-IAM5[Resource::<Bucket.Arn>/analysis/backfill/*]',
      'AwsSolutions-IAM5[Resource::<Bucket.Arn>/normalized/*]',
      'AwsSolutions-IAM5[Resource::<Bucket.Arn>/thumbnails/*]',
      'AwsSolutions-IAM5[Resource::<Bucket.Arn>/uploads/*]',
      // The execution-status net may DescribeExecution any execution of this one state machine.
      'AwsSolutions-IAM5[Resource::arn:<Bucket.Arn>:states:<AWS::Region>:<AWS::AccountId>:execution:<PipelineStateMachine1814BD05.Name>:*]',
      // The backfill follows its own Map's child executions (named at synth) and stops them when aborted.
      'AwsSolutions-IAM5[Resource::arn:<Bucket.Arn>:states:<AWS::Region>:<AWS::AccountId>:execution:PicflowNag-Backfill-7069B81A/*]',
      'AwsSolutions-IAM5[Resource::arn:<Bucket.Arn>:states:<AWS::Region>:<AWS::AccountId>:execution:PicflowNag-Backfill-7069B81A:*]',
      'AwsSolutions-L1',
      'AwsSolutions-S1',
      'AwsSolutions-SF1',
      'AwsSolutions-SNS2',
      'AwsSolutions-SQS3',
    ]);
    for (const [path, id, reason] of acks) {
      expect([path, id, reason.length >= 60]).toEqual([path, id, true]);
    }
    // A blanket IAM5 would hide any future wildcard: none is allowed.
    expect(acks.filter(([, id]) => /AwsSolutions-IAM5$/.test(id))).toEqual([]);
  });

  it('fails the synth on a finding: a deliberately public bucket in a throwaway stack', () => {
    // Prepare
    const app = newApp();
    const stack = new Stack(app, 'Throwaway');
    new s3.Bucket(stack, 'PublicBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ACLS_ONLY,
      publicReadAccess: true,
      enforceSSL: true,
    });

    // Act
    const direct = new AwsSolutionsChecks().validateScope(app);
    addNagChecks(app);

    // Assess
    expect(direct.violations.map((v) => v.ruleName)).toEqual(expect.arrayContaining(['AwsSolutions-S1', 'AwsSolutions-S2']));
    expect(() => app.synth()).toThrow(/AwsSolutions-S2/);
  });

  it('fails the synth on a new wildcard in picflow itself: the IAM5 acknowledgements are not blanket', () => {
    // Prepare: a task is given the whole bucket, which no acknowledgement covers.
    const { app, stack } = picflowApp();
    const task = stack.pipeline.taskFunctions.find((f) => f.task.state === 'ClaimImage')!;
    task.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [stack.storage.bucket.arnForObjects('*')] }),
    );

    // Act
    const direct = new AwsSolutionsChecks().validateScope(app);

    // Assess
    expect(direct.violations.map((v) => v.ruleName)).toEqual([
      expect.stringMatching(/^AwsSolutions-IAM5\[Resource::<StorageBucket[0-9A-F]+\.Arn>\/\*\]$/),
    ]);
    addNagChecks(app);
    expect(() => app.synth()).toThrow(/AwsSolutions-IAM5/);
  });
});
