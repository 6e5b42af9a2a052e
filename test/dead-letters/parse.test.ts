// What replay reads from each kind of dead-letter message, including the ones the execution-status net's
// rule target and function leave there when they fail (the bare status-change event).
import { parseDeadLetter } from '../../dead-letters/parse';
import { objectCreatedEvent } from '../support/events';

const EXECUTION = 'arn:aws:states:us-east-1:123456789012:execution:picflow:exec-1';

describe('parseDeadLetter', () => {
  it('takes the upload event out of a status-change event the net could not handle', () => {
    // Prepare
    const upload = objectCreatedEvent({ key: 'uploads/slow.png' });
    const body = JSON.stringify({
      source: 'aws.states',
      'detail-type': 'Step Functions Execution Status Change',
      detail: { executionArn: EXECUTION, status: 'TIMED_OUT', input: JSON.stringify(upload) },
    });

    // Act
    const letter = parseDeadLetter(body, 'r', 'm');

    // Assess
    expect(letter).toMatchObject({ event: upload, executionId: EXECUTION });
    expect(letter.reason).toContain('TIMED_OUT');
  });

  it('has nothing to replay when the status-change event left the input out', () => {
    // Act
    const letter = parseDeadLetter(
      JSON.stringify({ source: 'aws.states', detail: { executionArn: EXECUTION, status: 'FAILED', input: null } }),
      'r',
      'm',
    );

    // Assess
    expect(letter.event).toBeUndefined();
    expect(letter.reason).toBe('no event to replay in this message');
  });
});
