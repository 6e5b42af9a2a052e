/**
 * The backfill as deployed: a STANDARD state machine from statemachines/backfill.asl.json with its
 * placeholders filled (concurrency and tolerated failures from the props or context), least-privilege
 * grants for it and its one function, cdk-nag clean, on a new bucket and an imported one, and switchable off.
 */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ImagePipeline, type ImagePipelineProps } from '../../infra';
import { parsePicflowContext } from '../../infra/config';
import { addNagChecks } from '../../infra/nag';
import { grants, logicalIdOf, newApp, roleStatements } from './helpers';

const ENV = { account: '123456789012', region: 'eu-west-1' };

function pipelineIn(props: (stack: Stack) => ImagePipelineProps = () => ({})) {
  const app = newApp();
  const stack = new Stack(app, 'Consumer', { env: ENV });
  const pipeline = new ImagePipeline(stack, 'Picflow', props(stack));
  return { app, stack, pipeline };
}

/** The backfill's definition as deployed: the DefinitionString's Fn::Join parts with references shown as <Ref>. */
function deployedDefinition(template: Template, stack: Stack, pipeline: ImagePipeline): string {
  const machine = template.toJSON().Resources[logicalIdOf(stack, pipeline.backfill!.stateMachine)];
  const body = machine.Properties.DefinitionS3Location ? machine.Properties : machine.Properties;
  return JSON.stringify(body.DefinitionSubstitutions);
}

describe('Backfill state machine (ImagePipeline, default on)', () => {
  it('is a STANDARD state machine whose placeholders get the bucket, the pipeline, its function and the settings', () => {
    // Prepare
    const { stack, pipeline } = pipelineIn(() => ({ backfill: { concurrency: 7, toleratedFailurePercentage: 2 } }));

    // Act
    const template = Template.fromStack(stack);
    const substitutions = JSON.parse(deployedDefinition(template, stack, pipeline)) as Record<string, unknown>;

    // Assess
    expect(substitutions).toMatchObject({
      BackfillConcurrency: '7',
      BackfillToleratedFailurePercentage: '2',
      BackfillResultsPrefix: 'analysis/backfill/',
      Region: 'eu-west-1',
      Account: '123456789012',
      ImagePipelineArn: { Ref: logicalIdOf(stack, pipeline.stateMachine) },
    });
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineName: pipeline.backfill!.stateMachineName,
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
    });
  });

  it('grants exactly what the Map, its ItemReader and ResultWriter and StartExecution.sync:2 need, and the function one read', () => {
    // Prepare
    const { stack, pipeline } = pipelineIn((s) => ({
      bucket: s3.Bucket.fromBucketName(s, 'Photos', 'my-photos'),
      prefixes: { upload: ['camera/2024/', 'camera/2025/'] },
    }));

    // Act
    const template = Template.fromStack(stack);
    const machineGrants = grants(roleStatements(template, logicalIdOf(stack, pipeline.backfill!.stateMachine.role)));
    const functionGrants = grants(roleStatements(template, logicalIdOf(stack, pipeline.backfill!.functionRole)));
    const listStatement = roleStatements(template, logicalIdOf(stack, pipeline.backfill!.stateMachine.role)).find(
      (s) => s.Action === 's3:ListBucket',
    );

    // Assess
    const name = pipeline.backfill!.stateMachineName;
    const pipelineRef = logicalIdOf(stack, pipeline.stateMachine);
    const pipelineName = `<${pipelineRef}.Name>:*`;
    const own = (kind: string, rest: string) => `arn:aws:states:eu-west-1:123456789012:${kind}:${rest}`;
    expect(machineGrants.filter((g) => !/^(logs|xray):/.test(g))).toEqual(
      [
        `events:DescribeRule arn:aws:events:eu-west-1:123456789012:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule`,
        `events:PutRule arn:aws:events:eu-west-1:123456789012:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule`,
        `events:PutTargets arn:aws:events:eu-west-1:123456789012:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule`,
        `lambda:InvokeFunction <${logicalIdOf(stack, pipeline.backfill!.function)}.Arn>`,
        's3:AbortMultipartUpload arn:aws:s3:::my-photos/analysis/backfill/*',
        's3:GetObject arn:aws:s3:::my-photos/analysis/backfill/*',
        's3:ListBucket arn:aws:s3:::my-photos',
        's3:ListMultipartUploadParts arn:aws:s3:::my-photos/analysis/backfill/*',
        's3:PutObject arn:aws:s3:::my-photos/analysis/backfill/*',
        `states:DescribeExecution ${own('execution', `${name}/*`)}`,
        `states:DescribeExecution ${own('execution', `${name}:*`)}`,
        `states:DescribeExecution ${own('execution', pipelineName)}`,
        `states:StartExecution <${logicalIdOf(stack, pipeline.stateMachine)}>`,
        `states:StartExecution ${own('stateMachine', name)}`,
        `states:StopExecution ${own('execution', `${name}/*`)}`,
        `states:StopExecution ${own('execution', `${name}:*`)}`,
        `states:StopExecution ${own('execution', pipelineName)}`,
      ].sort(),
    );
    expect(listStatement?.Condition).toEqual({ StringLike: { 's3:prefix': ['camera/2024/*', 'camera/2025/*'] } });
    expect(functionGrants.filter((g) => !/^(logs|xray):/.test(g))).toEqual([
      `dynamodb:GetItem <${logicalIdOf(stack, pipeline.table.node.defaultChild as never)}.Arn>`,
    ]);
  });

  it('synthesizes with no unacknowledged cdk-nag finding', () => {
    // Prepare
    const { app } = pipelineIn((s) => ({ bucket: s3.Bucket.fromBucketName(s, 'Photos', 'my-photos') }));
    addNagChecks(app);

    // Act
    const assembly = app.synth();
    const report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8')) as {
      pluginReports: { violations: { ruleName: string; violatingResources: { resourceLogicalId: string }[] }[] }[];
    };

    // Assess
    const backfillViolations = report.pluginReports
      .flatMap((r) => r.violations)
      .filter((v) => v.violatingResources.some((r) => /Backfill/.test(r.resourceLogicalId)));
    expect(backfillViolations).toEqual([]);
  });

  it('is absent with backfill: false, and an invalid setting fails the synth saying what to change', () => {
    // Act
    const off = pipelineIn(() => ({ backfill: false }));
    const invalid = () => pipelineIn(() => ({ backfill: { concurrency: 0, toleratedFailurePercentage: 101 } }));

    // Assess
    expect(off.pipeline.backfill).toBeUndefined();
    expect(Template.fromStack(off.stack).resourceCountIs('AWS::StepFunctions::StateMachine', 1));
    expect(invalid).toThrow(
      /backfill\.concurrency: 0 is not a whole number from 1 to 10000[\s\S]*backfill\.toleratedFailurePercentage: 101/,
    );
  });

  it('reads backfill, backfillConcurrency and backfillToleratedFailurePercentage from the context', () => {
    // Act
    const context = (values: Record<string, string>) => parsePicflowContext((key) => values[key]);

    // Assess
    expect(context({}).backfill).toEqual({ concurrency: 40, toleratedFailurePercentage: 5 });
    expect(context({ backfillConcurrency: '12', backfillToleratedFailurePercentage: '0' }).backfill).toEqual({
      concurrency: 12,
      toleratedFailurePercentage: 0,
    });
    expect(context({ backfill: 'off' }).backfill).toBe(false);
    expect(() => context({ backfillConcurrency: 'many' })).toThrow(/backfillConcurrency: NaN is not a whole number/);
  });
});
