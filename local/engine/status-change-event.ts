/**
 * Builds the EventBridge "Step Functions Execution Status Change" event AWS sends when an execution
 * ends: same fields, the input as a JSON string, dates in epoch milliseconds. The local runner matches
 * it against the rule pattern infra/ deploys (statemachines/status-change.ts).
 */
import { randomUUID } from 'node:crypto';
import { EXECUTION_STATUS_CHANGE } from '../../statemachines/status-change';
import type { ExecutionStatusChangeEvent } from '../../tasks/shared/types';
import type { ExecutionRecord } from './execution-store';

/** The largest input Step Functions puts in the event; a larger one is left out (`inputDetails.included: false`). */
export const MAX_EVENT_INPUT_BYTES = 248 * 1024;

export function executionStatusChangeEvent(record: ExecutionRecord, stateMachineArn: string): ExecutionStatusChangeEvent {
  const [, , , region, account] = stateMachineArn.split(':');
  const input = JSON.stringify(record.input ?? null);
  const included = Buffer.byteLength(input) <= MAX_EVENT_INPUT_BYTES;
  const output = record.status === 'SUCCEEDED' ? JSON.stringify(record.output ?? null) : null;
  const stopDate = record.stoppedAt ? Date.parse(record.stoppedAt) : null;
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': EXECUTION_STATUS_CHANGE.detailType,
    source: EXECUTION_STATUS_CHANGE.source,
    account,
    time: new Date(stopDate ?? Date.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region,
    resources: [record.executionArn],
    detail: {
      executionArn: record.executionArn,
      stateMachineArn,
      name: record.name,
      status: record.status === 'RUNNING' ? 'RUNNING' : record.status,
      startDate: Date.parse(record.startedAt),
      stopDate,
      input: included ? input : null,
      inputDetails: { included },
      output,
      outputDetails: output === null ? null : { included: true },
      error: record.error ?? null,
      cause: record.cause ?? null,
    },
  };
}
