/**
 * Errors named the way the state machine matches them. Step Functions (and the local engine) match a
 * task's failure against `ErrorEquals` by the error's `name`, so each class sets `name` explicitly:
 * the Retry/Catch rules in statemachines/image-pipeline.asl.json read like this file.
 */

/** Why an image was rejected; part of the readable reason stored on the FAILED item. */
export type ImageRejection =
  | 'EMPTY'
  | 'TOO_LARGE'
  | 'UNSUPPORTED_FORMAT'
  | 'CORRUPT'
  | 'DECOMPRESSION_BOMB'
  | 'TOO_SMALL'
  /** No object under the event's key (nor, with the event's ETag, under its form-decoded reading). */
  | 'NOT_FOUND';

/** The upload is not an image picflow can analyse. Permanent: never retried. */
export class ImageValidationError extends Error {
  override readonly name = 'ImageValidationError';
  constructor(
    readonly reason: ImageRejection,
    message: string,
  ) {
    super(`${reason}: ${message}`);
  }
}

/** The event cannot be processed (not an S3 Object Created event, or outside the upload prefix). */
export class InvalidEventError extends Error {
  override readonly name = 'InvalidEventError';
}

/**
 * The object named by the event was replaced (it has another ETag now) before this execution read it.
 * A newer event owns the key now, so this execution stops quietly instead of recording a failure. A
 * MISSING object is not this: it is ImageValidationError NOT_FOUND, recorded FAILED, never a success.
 */
export class StaleEventError extends Error {
  override readonly name = 'StaleEventError';
}

/** The services picflow calls, as prefixes of the error names the state machine retries on. */
export type ServiceName = 'S3' | 'DynamoDB' | 'Rekognition';

/**
 * Transient failures, grouped under three canonical names per service so that a Retry rule needs three
 * names, not thirty: `<Service>.ThrottlingException`, `<Service>.ServiceUnavailable` and
 * `<Service>.NetworkError`. The original error name stays at the start of the message.
 */
const THROTTLING_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'LimitExceededException',
  'SlowDown',
  'TooManyRequestsException',
]);
const UNAVAILABLE_NAMES = new Set([
  'InternalServerError',
  'InternalServerErrorException',
  'InternalFailure',
  'InternalError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
]);
const NETWORK_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'NetworkingError']);

/** Node's socket-level error codes that mean "the request may never have arrived". */
const NETWORK_ERROR_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'ECONNABORTED']);

/**
 * DNS failures: the endpoint's host name does not resolve. For an AWS endpoint that means a wrong
 * region, a service not offered in it, or a function with no route to DNS (a VPC without a resolver
 * or NAT): configuration, not load, so minutes of retries only delay the failure. EAI_AGAIN is
 * nominally "try again", but in Lambda it is what the resolver answers in those same situations.
 * They become `<Service>.EndpointNotResolved`, which no Retry rule lists.
 */
const DNS_ERROR_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL']);
export const ENDPOINT_NOT_RESOLVED = 'EndpointNotResolved';

export type TransientKind = 'ThrottlingException' | 'ServiceUnavailable' | 'NetworkError';

/** The canonical transient error names of a service, as a Retry rule lists them. */
export function transientErrorNames(service: ServiceName): string[] {
  return (['ThrottlingException', 'ServiceUnavailable', 'NetworkError'] as TransientKind[]).map((k) => `${service}.${k}`);
}

/** An AWS call that failed, renamed `<Service>.<ErrorName>` so a Retry or Catch rule can match it. */
export class AwsServiceError extends Error {
  constructor(
    name: string,
    message: string,
    readonly transient: boolean,
  ) {
    super(message);
    this.name = name;
  }
}

/**
 * Renames an AWS SDK error for the state machine: transient failures become one of the three
 * canonical names above, permanent ones keep their own (`Rekognition.InvalidImageFormatException`).
 * picflow's own errors pass through unchanged.
 */
export function toServiceError(service: ServiceName, error: unknown): Error {
  if (error instanceof AwsServiceError || isPicflowError(error)) return error as Error;
  const err = (error ?? {}) as {
    name?: string;
    code?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number };
  };
  const original = err.name && err.name !== 'Error' ? err.name : (err.code ?? 'UnknownError');
  const message = `${original}: ${err.message || String(error)}`;
  if (DNS_ERROR_CODES.has(dnsErrorCode(err) ?? '') || DNS_ERROR_CODES.has(original)) {
    return new AwsServiceError(
      `${service}.${ENDPOINT_NOT_RESOLVED}`,
      `${message} (the ${service} endpoint's host name does not resolve: check the region, that ` +
        `${service} is offered there, and the function's DNS access; retrying will not help)`,
      false,
    );
  }
  const status = err.$metadata?.httpStatusCode ?? 0;
  const kind = transientKind(original, err.code, status);
  if (kind) return new AwsServiceError(`${service}.${kind}`, message, true);
  return new AwsServiceError(`${service}.${original}`, message, false);
}

/**
 * The errno code of a failed host-name lookup. The SDK wraps an error from another realm (a vm
 * context, as under Jest) in "AWS SDK error wrapper for Error: getaddrinfo ENOTFOUND host", dropping
 * `code`; Node's own message still names it.
 */
function dnsErrorCode(err: { code?: string; message?: string }): string | undefined {
  return err.code ?? /\bgetaddrinfo (E[A-Z_]+)\b/.exec(err.message ?? '')?.[1];
}

function transientKind(name: string, code: string | undefined, status: number): TransientKind | undefined {
  if (THROTTLING_NAMES.has(name) || status === 429) return 'ThrottlingException';
  if (NETWORK_NAMES.has(name) || (code !== undefined && NETWORK_ERROR_CODES.has(code)) || NETWORK_ERROR_CODES.has(name)) {
    return 'NetworkError';
  }
  if (UNAVAILABLE_NAMES.has(name) || status >= 500) return 'ServiceUnavailable';
  return undefined;
}

function isPicflowError(error: unknown): boolean {
  return error instanceof ImageValidationError || error instanceof InvalidEventError || error instanceof StaleEventError;
}

/** Runs one AWS call and renames its failure with {@link toServiceError}. */
export async function callAws<T>(service: ServiceName, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toServiceError(service, error);
  }
}
