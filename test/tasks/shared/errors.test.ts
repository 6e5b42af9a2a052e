import { DetectTextCommand, RekognitionClient } from '@aws-sdk/client-rekognition';
import {
  callAws,
  ImageValidationError,
  InvalidEventError,
  StaleEventError,
  toServiceError,
  transientErrorNames,
} from '../../../tasks/shared/errors';

/** A socket or DNS failure as Node and the AWS SDK raise it: a plain Error carrying an errno code. */
function nodeError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code, $metadata: {} });
}

describe('Function: toServiceError', () => {
  it.each([
    ['an unknown error answered with HTTP 429', { name: 'SomethingNew', $metadata: { httpStatusCode: 429 } }, 'S3.ThrottlingException'],
    ["S3's SlowDown", { name: 'SlowDown', $metadata: { httpStatusCode: 503 } }, 'S3.ThrottlingException'],
    ['an unknown error answered with HTTP 500', { name: 'SomethingNew', $metadata: { httpStatusCode: 500 } }, 'S3.ServiceUnavailable'],
    [
      'an error named by its class that carries a socket code',
      { name: 'SystemError', code: 'ECONNRESET', $metadata: {} },
      'S3.NetworkError',
    ],
  ])('classifies %s as transient, under a name the Retry rules list', (_, raw, name) => {
    // Act
    const renamed = toServiceError('S3', Object.assign(new Error('boom'), raw));

    // Assess
    expect(renamed).toMatchObject({ name, transient: true });
    expect(transientErrorNames('S3')).toContain(name);
  });

  it.each([
    ['an unknown error answered with HTTP 499', { name: 'SomethingNew', $metadata: { httpStatusCode: 499 } }, 'S3.SomethingNew'],
    ['AccessDenied', { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }, 'S3.AccessDenied'],
  ])('keeps %s permanent, under its own name', (_, raw, name) => {
    // Act
    const renamed = toServiceError('S3', Object.assign(new Error('boom'), raw));

    // Assess
    expect(renamed).toMatchObject({ name, transient: false });
  });

  it.each([new ImageValidationError('CORRUPT', 'truncated'), new InvalidEventError('not an upload'), new StaleEventError('replaced')])(
    "passes picflow's own %s through unchanged, so the definition's Catch rules still see its name",
    (error) => {
      // Act & Assess
      expect(toServiceError('S3', error)).toBe(error);
    },
  );

  it.each([
    ['ECONNRESET', 'read ECONNRESET'],
    ['ETIMEDOUT', 'connect ETIMEDOUT 52.94.0.1:443'],
    ['ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:4570'],
    ['EPIPE', 'write EPIPE'],
  ])('keeps %s transient: the request may not have arrived, a retry can succeed', (code, message) => {
    // Act
    const renamed = toServiceError('Rekognition', nodeError(code, message));

    // Assess
    expect(renamed).toMatchObject({ name: 'Rekognition.NetworkError', transient: true });
    expect(transientErrorNames('Rekognition')).toContain(renamed.name);
  });

  it.each([
    ['ENOTFOUND', 'getaddrinfo ENOTFOUND rekognition.af-south-1.amazonaws.com'],
    ['EAI_AGAIN', 'getaddrinfo EAI_AGAIN rekognition.eu-north-1.amazonaws.com'],
  ])('makes %s permanent: the endpoint does not resolve, retries cannot help', (code, message) => {
    // Act
    const renamed = toServiceError('Rekognition', nodeError(code, message));

    // Assess: a name no Retry rule lists, and a message that says what to check.
    expect(renamed).toMatchObject({ name: 'Rekognition.EndpointNotResolved', transient: false });
    expect(transientErrorNames('Rekognition')).not.toContain(renamed.name);
    expect(renamed.message).toContain(`${code}: ${message}`);
    expect(renamed.message).toContain('check the region');
  });

  it('makes a real SDK call to a host name that cannot exist fail as permanent', async () => {
    // Prepare: `.invalid` never resolves (RFC 6761), like a region without a Rekognition endpoint.
    const client = new RekognitionClient({
      region: 'us-east-1',
      endpoint: 'https://rekognition.picflow-test.invalid',
      maxAttempts: 1,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });

    // Act
    const call = callAws('Rekognition', () => client.send(new DetectTextCommand({ Image: { Bytes: new Uint8Array([1]) } })));

    // Assess
    await expect(call).rejects.toMatchObject({ name: 'Rekognition.EndpointNotResolved', transient: false });
  });
});
