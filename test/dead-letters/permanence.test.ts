// Which dead letters are permanent failures (a re-run must fail the same way) and which a replay may
// fix: decided once, in dead-letters/permanence.ts, and stamped on every parsed letter.
import { failurePermanence, letterPermanence } from '../../dead-letters/permanence';
import { parseDeadLetter } from '../../dead-letters/parse';
import { buildDeadLetter, describeFailure } from '../../dead-letters/build';
import { objectCreatedEvent } from '../support/events';

const rejected = (reason: string) => ({ state: 'ValidateImage', error: 'ImageValidationError', cause: `${reason}: details` });

describe('failurePermanence', () => {
  it.each(['CORRUPT', 'UNSUPPORTED_FORMAT', 'TOO_LARGE', 'TOO_SMALL', 'EMPTY', 'DECOMPRESSION_BOMB', 'NOT_FOUND'])(
    'an ImageValidationError %s is permanent, named by its reason',
    (reason) => {
      expect(failurePermanence(rejected(reason))).toMatchObject({ permanent: true, kind: reason });
    },
  );

  it.each([
    ['ClaimImage', 'InvalidEventError', 'the S3 event is missing detail.object.key'],
    ['DetectLabels', 'Rekognition.InvalidImageFormatException', 'InvalidImageFormatException: Request has unsupported image format'],
    ['DetectFaces', 'Rekognition.ImageTooLargeException', 'ImageTooLargeException: Image size is too large'],
  ])('%s failing with %s is permanent', (state, error, cause) => {
    expect(failurePermanence({ state, error, cause })).toMatchObject({ permanent: true, kind: error });
  });

  it.each([
    ['DetectFaces', 'Rekognition.ThrottlingException'],
    ['ValidateImage', 'S3.ServiceUnavailable'],
    ['Execution', 'States.Timeout'],
    ['DetectLabels', 'Rekognition.EndpointNotResolved'],
    ['StoreResult', 'DynamoDB.AccessDeniedException'],
    ['DetectText', 'SomethingNobodyHasSeen'],
  ])('%s failing with %s is replayable', (state, error) => {
    expect(failurePermanence({ state, error, cause: `${error.split('.').pop()}: details` })).toMatchObject({
      permanent: false,
      kind: error,
    });
  });
});

describe('letterPermanence', () => {
  const event = objectCreatedEvent({ key: 'uploads/a.jpg' });

  it('is permanent only when every failure is: one throttled analysis makes a PARTIAL image worth a replay', () => {
    // Prepare
    const formatRejected = { state: 'DetectLabels', error: 'Rekognition.InvalidImageFormatException', cause: 'x' };
    const throttled = { state: 'DetectFaces', error: 'Rekognition.ThrottlingException', cause: 'x' };

    // Act
    const both = letterPermanence({ event, failures: [formatRejected, throttled] });
    const onlyFormat = letterPermanence({ event, failures: [formatRejected] });

    // Assess
    expect(both).toMatchObject({ permanent: false, kind: 'Rekognition.ThrottlingException' });
    expect(onlyFormat).toMatchObject({ permanent: true, kind: 'Rekognition.InvalidImageFormatException' });
  });

  it('is permanent when there is no event to run again, replayable when no failed state is named', () => {
    expect(letterPermanence({ failures: [] })).toMatchObject({ permanent: true, kind: 'NoEvent' });
    expect(letterPermanence({ event, failures: [] })).toMatchObject({ permanent: false });
  });
});

describe('parseDeadLetter stamps the permanence', () => {
  it('marks the dead letter of a corrupt image permanent and an execution timeout replayable', () => {
    // Prepare: the messages the pipeline sends for each
    const event = objectCreatedEvent({ key: 'uploads/broken.jpg' });
    const letter = (failure: ReturnType<typeof describeFailure>) =>
      JSON.stringify(
        buildDeadLetter({ event, executionId: 'arn:x', status: 'FAILED', reason: 'r', failures: [failure], failedAt: new Date(0) }),
      );
    const corrupt = letter(
      describeFailure('ValidateImage', {
        Error: 'ImageValidationError',
        Cause: JSON.stringify({ errorType: 'ImageValidationError', errorMessage: 'CORRUPT: truncated' }),
      }),
    );
    const timedOut = letter(describeFailure('Execution', { Error: 'States.Timeout', Cause: 'the execution timed out' }));

    // Act
    const parsed = [parseDeadLetter(corrupt, 'r1', 'm1'), parseDeadLetter(timedOut, 'r2', 'm2'), parseDeadLetter('not json', 'r3', 'm3')];

    // Assess
    expect(parsed.map((l) => [l.messageId, l.permanent, l.failureKind])).toEqual([
      ['m1', true, 'CORRUPT'],
      ['m2', false, 'States.Timeout'],
      ['m3', true, 'NoEvent'],
    ]);
    expect(parsed[0].permanence).toMatch(/ValidateImage rejected the upload itself \(CORRUPT\)/);
  });
});
