/**
 * `picflow redrive <execution-arn>`: Step Functions' RedriveExecution for a FAILED, ABORTED or
 * TIMED_OUT STANDARD execution on AWS (within 14 days): it resumes from the state that failed, with
 * the successful states' results kept. picflow catches image failures and records them, so redrive is
 * for executions that failed in the bookkeeping itself (RecordFailure, SendToDeadLetterQueue); for a
 * failed image use `picflow replay`.
 */
import type { Command } from 'commander';
import { DescribeExecutionCommand, RedriveExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';

export function redriveCommand(program: Command): void {
  program
    .command('redrive')
    .description('redrive a failed execution on AWS (RedriveExecution), from the state where it failed')
    .argument('<execution-arn>', 'the execution to redrive')
    .option('--region <region>', 'AWS region (default: from the ARN)')
    .option('--wait', 'wait until the redriven execution ends, and exit 1 unless it succeeded')
    .action(async (executionArn: string, options: { region?: string; wait?: boolean }) => {
      const region = options.region ?? executionArn.split(':')[3];
      if (!/^arn:aws[\w-]*:states:[\w-]+:\d{12}:execution:/.test(executionArn)) {
        throw new Error(`"${executionArn}" is not a Step Functions execution ARN (arn:aws:states:REGION:ACCOUNT:execution:MACHINE:NAME)`);
      }
      const sfn = new SFNClient({ region });
      try {
        const { redriveDate } = await sfn.send(new RedriveExecutionCommand({ executionArn }));
        process.stderr.write(`picflow redrive: redriven at ${redriveDate?.toISOString()}\n`);
        if (!options.wait) return;
        for (;;) {
          const { status, error, cause } = await sfn.send(new DescribeExecutionCommand({ executionArn }));
          if (status !== 'RUNNING') {
            process.stdout.write(`${status}${error ? `  ${error}: ${cause ?? ''}` : ''}\n`);
            if (status !== 'SUCCEEDED') process.exitCode = 1;
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, 2000));
        }
      } finally {
        sfn.destroy();
      }
    });
}
