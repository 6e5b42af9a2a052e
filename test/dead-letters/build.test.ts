import {
  buildDeadLetter,
  causeMessage,
  describeFailure,
  failureText,
  MAX_CAUSE_CHARS,
  MAX_DEAD_LETTER_BYTES,
  MAX_REASON_CHARS,
} from '../../dead-letters/build';
import { EXECUTION_ID, imageRef, lambdaCause, s3Event } from '../tasks/shared/factories';

describe('Module: dead-letter', () => {
  describe('causeMessage', () => {
    it.each([
      ['Lambda JSON', lambdaCause('ImageValidationError', 'CORRUPT: the JPEG data ends early'), 'CORRUPT: the JPEG data ends early'],
      ['JSON without a message', JSON.stringify({ errorType: 'Runtime.ExitError' }), 'Runtime.ExitError'],
      ['plain text', '  Task timed out after 300.00 seconds ', 'Task timed out after 300.00 seconds'],
      ['broken JSON', '{not json', '{not json'],
      ['missing', undefined, ''],
      ['null', null, ''],
      ['an object instead of a string', { errorType: 'E', errorMessage: 'as an object' }, 'as an object'],
    ])('reads %s', (_, cause, expected) => {
      // Act & Assess
      expect(causeMessage(cause)).toBe(expected);
    });
  });

  it('describes a failure with its state, error and short cause', () => {
    // Prepare
    const cause = lambdaCause('ImageValidationError', 'CORRUPT: the JPEG data ends early (truncated file)');

    // Act
    const failure = describeFailure('ValidateImage', { Error: 'ImageValidationError', Cause: cause });

    // Assess
    expect(failureText(failure)).toBe('ValidateImage failed: ImageValidationError: CORRUPT: the JPEG data ends early (truncated file)');
  });

  it('says only the error when there is no cause', () => {
    // Act & Assess
    expect(failureText(describeFailure('ValidateImage', { Error: 'States.Timeout' }))).toBe('ValidateImage failed: States.Timeout');
  });

  it('cuts a long cause, and says so', () => {
    // Act
    const failure = describeFailure('DetectFaces', { Error: 'Boom', Cause: 'x'.repeat(10_000) });

    // Assess
    expect(failure.cause).toHaveLength(MAX_CAUSE_CHARS);
    expect(failure.cause.endsWith('... (truncated)')).toBe(true);
  });

  it('builds a message with the original event, execution, failures and reason', () => {
    // Prepare
    const event = s3Event();
    const failures = [{ state: 'ValidateImage', error: 'ImageValidationError', cause: 'CORRUPT: bad' }];

    // Act
    const message = buildDeadLetter({
      event,
      executionId: EXECUTION_ID,
      status: 'FAILED',
      reason: 'ValidateImage failed: ImageValidationError: CORRUPT: bad',
      failures,
      image: imageRef(),
      failedAt: new Date('2024-05-01T10:00:05.000Z'),
    });

    // Assess
    expect(message).toEqual({
      imageId: 'picflow-uploads/uploads/cat.jpg',
      bucket: 'picflow-uploads',
      key: 'uploads/cat.jpg',
      status: 'FAILED',
      reason: 'ValidateImage failed: ImageValidationError: CORRUPT: bad',
      failures,
      executionId: EXECUTION_ID,
      failedAt: '2024-05-01T10:00:05.000Z',
      originalEvent: s3Event(),
    });
  });

  it('stays within its size budget whatever the causes, and keeps the event whole', () => {
    // Prepare
    const failures = Array.from({ length: 200 }, (_, i) => ({ state: `State${i}`, error: 'Huge', cause: 'y'.repeat(5000) }));

    // Act
    const message = buildDeadLetter({
      event: s3Event(),
      executionId: EXECUTION_ID,
      status: 'PARTIAL',
      reason: 'z'.repeat(50_000),
      failures,
      failedAt: new Date(),
    });

    // Assess
    expect(Buffer.byteLength(JSON.stringify(message))).toBeLessThanOrEqual(MAX_DEAD_LETTER_BYTES);
    expect(message.reason.length).toBeLessThanOrEqual(MAX_REASON_CHARS);
    expect(message.originalEvent).toEqual(s3Event());
    expect(message).not.toHaveProperty('imageId');
  });
});
