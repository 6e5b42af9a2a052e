// The mocked CloudFormation DescribeStacks of the CLI's `--stack` tests: one stack with the given outputs.
import { DescribeStacksCommand, type CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { AwsClientStub } from 'aws-sdk-client-mock';

/**
 * Makes every DescribeStacks on `cloudformation` answer with one CREATE_COMPLETE stack named `stackName`
 * whose outputs are `outputs` (OutputKey -> OutputValue, in that order).
 */
export function mockStackOutputs(
  cloudformation: AwsClientStub<CloudFormationClient>,
  outputs: Record<string, string>,
  stackName = 'Picflow',
): void {
  cloudformation.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackName: stackName,
        CreationTime: new Date(),
        StackStatus: 'CREATE_COMPLETE',
        Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
      },
    ],
  });
}
