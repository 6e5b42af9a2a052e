// `picflow backfill --stack` against AWS, with the SDK clients mocked: the stack's outputs name the backfill
// state machine and the upload prefix, one execution starts per prefix with the prefix and reanalyse flag,
// --watch follows the Map Run until the execution ends and returns its counts, and a prefix outside the
// uploads is refused before anything starts.
import 'aws-sdk-client-mock-jest';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DescribeExecutionCommand, DescribeMapRunCommand, ListMapRunsCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { backfillOnAws, progressLine, UsageError } from '../../cli/backfill-aws';
import { mockStackOutputs } from '../support/stack-outputs';

const cloudformation = mockClient(CloudFormationClient);
const sfn = mockClient(SFNClient);
const BACKFILL = 'arn:aws:states:us-east-1:123456789012:stateMachine:Picflow-Backfill-1234';
const EXECUTION = 'arn:aws:states:us-east-1:123456789012:execution:Picflow-Backfill-1234:run-1';

describe('Function: backfillOnAws', () => {
  let stderr: jest.SpyInstance;

  beforeEach(() => {
    cloudformation.reset();
    sfn.reset();
    mockStackOutputs(cloudformation, { BackfillStateMachineArn: BACKFILL, UploadPrefix: 'uploads/' });
    sfn.on(StartExecutionCommand).resolves({ executionArn: EXECUTION, startDate: new Date() });
    stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });

  afterEach(() => stderr.mockRestore());

  it('starts one execution for the upload prefix with the reanalyse flag, and returns without --watch', async () => {
    // Act
    const result = await backfillOnAws('Picflow', { reanalyse: true, watch: false }, new SFNClient({}));

    // Assess
    expect(sfn).toHaveReceivedCommandWith(StartExecutionCommand, {
      stateMachineArn: BACKFILL,
      input: JSON.stringify({ prefix: 'uploads/', reanalyse: true }),
    });
    expect(result.executions).toEqual([{ prefix: 'uploads/', executionArn: EXECUTION }]);
    expect(sfn).not.toHaveReceivedCommand(DescribeExecutionCommand);
  });

  it('with --watch follows the Map Run until the execution ends and returns its counts', async () => {
    // Prepare: running with a Map Run half done, then failed with one failed item
    sfn
      .on(DescribeExecutionCommand)
      .resolvesOnce({ status: 'RUNNING' } as never)
      .resolves({ status: 'SUCCEEDED' } as never);
    sfn
      .on(ListMapRunsCommand)
      .resolves({ mapRuns: [{ mapRunArn: 'map-run', executionArn: EXECUTION, stateMachineArn: BACKFILL, startDate: new Date() }] });
    sfn
      .on(DescribeMapRunCommand)
      .resolvesOnce({ itemCounts: { total: 10, succeeded: 4, failed: 0, running: 2, pending: 4 } } as never)
      .resolves({ itemCounts: { total: 10, succeeded: 9, failed: 1, running: 0, pending: 0, timedOut: 0, aborted: 0 } } as never);

    // Act
    const result = await backfillOnAws(
      'Picflow',
      { prefix: 'uploads/2024/', reanalyse: false, watch: true, pollSeconds: 0 },
      new SFNClient({}),
    );

    // Assess
    expect(result.executions[0]).toMatchObject({
      prefix: 'uploads/2024/',
      status: 'SUCCEEDED',
      counts: { total: 10, succeeded: 9, failed: 1, running: 0, pending: 0 },
    });
    const printed = stderr.mock.calls.map(([text]) => String(text)).join('');
    expect(printed).toContain('4/10 objects done (4 analysed or skipped, 0 failed), 2 running');
    expect(printed).toContain('10/10 objects done (9 analysed or skipped, 1 failed), 0 running');
  });

  it('refuses a prefix outside the upload prefixes before starting anything', async () => {
    // Act
    const attempt = backfillOnAws('Picflow', { prefix: 'thumbnails/', reanalyse: false, watch: false }, new SFNClient({}));

    // Assess
    await expect(attempt).rejects.toThrow(UsageError);
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it('progress line counts done as succeeded plus failed', () => {
    expect(progressLine({ total: 5, succeeded: 2, failed: 1, running: 1, pending: 1 })).toBe(
      '3/5 objects done (2 analysed or skipped, 1 failed), 1 running',
    );
  });
});
