/**
 * The net under the net on AWS: the rule on this state machine's FAILED / TIMED_OUT / ABORTED status
 * changes (the pattern the local runner matches too), its target with retries and the dead-letter queue,
 * and the function's own role with exactly the actions tasks/record-failed-execution calls.
 */
import { executionEndedBadlyPattern } from '../../statemachines/status-change';
import { grants, logicalIdOf, roleStatements, synthPicflow, type SynthesizedStack } from './helpers';

describe('Execution-status net', () => {
  let synth: SynthesizedStack;
  let ids: { stateMachine: string; queue: string; table: string; fn: string; rule: string };
  beforeAll(() => {
    synth = synthPicflow();
    const { pipeline, storage } = synth.stack;
    ids = {
      stateMachine: logicalIdOf(synth.stack, pipeline.stateMachine),
      queue: logicalIdOf(synth.stack, pipeline.deadLetterQueue),
      table: logicalIdOf(synth.stack, storage.table),
      fn: logicalIdOf(synth.stack, pipeline.executionNet.function),
      rule: logicalIdOf(synth.stack, pipeline.executionNet.rule),
    };
  });

  it("the rule matches this state machine's FAILED, TIMED_OUT and ABORTED executions, as statemachines/status-change.ts says", () => {
    // Act
    const pattern = synth.template.toJSON().Resources[ids.rule].Properties.EventPattern;

    // Assess
    expect(pattern).toEqual({
      source: ['aws.states'],
      'detail-type': ['Step Functions Execution Status Change'],
      detail: { stateMachineArn: [{ Ref: ids.stateMachine }], status: ['FAILED', 'TIMED_OUT', 'ABORTED'] },
    });
    expect(pattern).toEqual(
      JSON.parse(JSON.stringify(executionEndedBadlyPattern('ARN')).replace('"ARN"', JSON.stringify({ Ref: ids.stateMachine }))),
    );
  });

  it('targets the net function with a retry policy and the shared dead-letter queue', () => {
    // Act
    const rule = synth.template.toJSON().Resources[ids.rule];

    // Assess
    expect(rule.Properties.Targets).toEqual([
      expect.objectContaining({
        Arn: { 'Fn::GetAtt': [ids.fn, 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 6 * 3600 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [ids.queue, 'Arn'] } },
      }),
    ]);
    synth.template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [ids.fn, 'Arn'] },
      Principal: 'events.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [ids.rule, 'Arn'] },
    });
  });

  it('the function knows the queue, keeps its own failures in the same queue, and is not a Task of the definition', () => {
    // Act
    const fn = synth.template.toJSON().Resources[ids.fn].Properties;
    const definition = JSON.stringify(synth.template.findResources('AWS::StepFunctions::StateMachine'));

    // Assess
    expect(fn.Environment.Variables).toMatchObject({ DEAD_LETTER_QUEUE_URL: { Ref: ids.queue }, TABLE_NAME: { Ref: ids.table } });
    expect(fn.DeadLetterConfig).toEqual({ TargetArn: { 'Fn::GetAtt': [ids.queue, 'Arn'] } });
    expect(fn.Runtime).toBe('nodejs22.x');
    expect(definition).not.toContain(ids.fn);
  });

  it('its role has exactly the grants the handler uses', () => {
    // Prepare
    const logGroup = `<${logicalIdOf(synth.stack, synth.stack.pipeline.executionNet.logGroup)}.Arn>`;

    // Act
    const actual = grants(roleStatements(synth.template, logicalIdOf(synth.stack, synth.stack.pipeline.executionNet.role)));

    // Assess
    expect(actual).toEqual(
      [
        `dynamodb:GetItem <${ids.table}.Arn>`,
        `dynamodb:UpdateItem <${ids.table}.Arn>`,
        `logs:CreateLogStream ${logGroup}`,
        `logs:PutLogEvents ${logGroup}`,
        `sqs:SendMessage <${ids.queue}.Arn>`,
        `states:DescribeExecution arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:<${ids.stateMachine}.Name>:*`,
        'xray:PutTelemetryRecords *',
        'xray:PutTraceSegments *',
      ].sort(),
    );
  });
});
