// `picflow redrive <arn>`: RedriveExecution on the ARN's region, and with --wait the final status as
// the exit code. The SFN client is mocked.
import 'aws-sdk-client-mock-jest';
import { DescribeExecutionCommand, RedriveExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { Command } from 'commander';
import { redriveCommand } from '../../cli/redrive';

const sfn = mockClient(SFNClient);
const ARN = 'arn:aws:states:eu-west-1:123456789012:execution:ImagePipeline:abc';

async function run(...args: string[]): Promise<void> {
  const program = new Command().exitOverride();
  redriveCommand(program);
  await program.parseAsync(['node', 'picflow', 'redrive', ...args]);
}

describe('Command: picflow redrive', () => {
  let stdout: jest.SpyInstance;
  let stderr: jest.SpyInstance;

  beforeEach(() => {
    sfn.reset();
    process.exitCode = undefined;
    stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });

  afterEach(() => {
    stdout.mockRestore();
    stderr.mockRestore();
    process.exitCode = undefined;
  });

  it('redrives the execution and, with --wait, exits 0 when it then succeeds', async () => {
    sfn.on(RedriveExecutionCommand).resolves({ redriveDate: new Date('2026-11-23T18:00:00Z') });
    sfn.on(DescribeExecutionCommand).resolvesOnce({ status: 'SUCCEEDED' });

    await run(ARN, '--wait');

    expect(sfn).toHaveReceivedCommandWith(RedriveExecutionCommand, { executionArn: ARN });
    expect(await sfn.call(0).thisValue.config.region()).toBe('eu-west-1');
    expect(stdout).toHaveBeenCalledWith('SUCCEEDED\n');
    expect(process.exitCode).toBeUndefined();
  });

  it('exits 1 when the redriven execution fails again', async () => {
    sfn.on(RedriveExecutionCommand).resolves({ redriveDate: new Date() });
    sfn.on(DescribeExecutionCommand).resolves({ status: 'FAILED', error: 'DynamoDB.ThrottlingException', cause: 'still throttled' });

    await run(ARN, '--wait');

    expect(stdout).toHaveBeenCalledWith('FAILED  DynamoDB.ThrottlingException: still throttled\n');
    expect(process.exitCode).toBe(1);
  });

  it('refuses something that is not an execution ARN, before calling AWS', async () => {
    await expect(run('arn:aws:states:eu-west-1:123456789012:stateMachine:ImagePipeline')).rejects.toThrow(
      /is not a Step Functions execution ARN/,
    );
    expect(sfn).not.toHaveReceivedCommand(RedriveExecutionCommand);
  });
});
