/**
 * The EventBridge rule of the net under the net: "Step Functions Execution Status Change" events of
 * THE state machine for executions that ended badly. One source for both runtimes: infra/ deploys it
 * as the rule's pattern, and the local runner matches every ended execution's event against it.
 */
import type { EventPattern } from './trigger';

/**
 * The statuses no Catch can handle: an execution timeout or an abort runs no Catch at all, and a FAILED
 * execution may have failed with an error `States.ALL` does not catch (`States.DataLimitExceeded`,
 * `States.Runtime`) or in RecordFailure / SendToDeadLetterQueue themselves.
 */
export const UNSUCCESSFUL_EXECUTION_STATUSES = ['FAILED', 'TIMED_OUT', 'ABORTED'] as const;

export const EXECUTION_STATUS_CHANGE = { source: 'aws.states', detailType: 'Step Functions Execution Status Change' } as const;

export function executionEndedBadlyPattern(stateMachineArn: string): EventPattern {
  return {
    source: [EXECUTION_STATUS_CHANGE.source],
    'detail-type': [EXECUTION_STATUS_CHANGE.detailType],
    detail: {
      stateMachineArn: [stateMachineArn],
      status: [...UNSUCCESSFUL_EXECUTION_STATUSES],
    },
  };
}
