/** The input an ended execution started with: from the status-change event, or from DescribeExecution when the event left it out. */
import { DescribeExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { ExecutionStatusChangeEvent } from '../shared/types';

/**
 * Step Functions leaves the input out of the event (`inputDetails.included: false`) when the event
 * would be too large; DescribeExecution always returns it. Unparsable input is returned as
 * undefined: the net still records the failure, it only cannot name the image.
 */
export async function executionInput(sfn: SFNClient, detail: ExecutionStatusChangeEvent['detail']): Promise<unknown> {
  let text = detail.input;
  if (detail.inputDetails?.included === false || typeof text !== 'string' || text === '') {
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn: detail.executionArn }));
    text = described.input ?? null;
  }
  if (typeof text !== 'string') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
