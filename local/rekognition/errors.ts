/**
 * Rekognition error names and the HTTP status each one has on the wire (AWS JSON 1.1 protocol).
 * The SDK picks the error class from `__type` / `x-amzn-ErrorType`, so `name` must match exactly;
 * the status decides whether the SDK treats it as a client or a server (retryable) fault.
 */
export const REKOGNITION_ERROR_STATUS = {
  AccessDeniedException: 400,
  ImageTooLargeException: 400,
  InvalidImageFormatException: 400,
  InvalidParameterException: 400,
  InvalidS3ObjectException: 400,
  ProvisionedThroughputExceededException: 400,
  // Collection operations.
  ResourceNotFoundException: 400,
  ResourceAlreadyExistsException: 400,
  ConflictException: 400,
  ServiceQuotaExceededException: 400,
  // Rekognition documents both as HTTP 500; the SDK models them with $fault "server" and retries them.
  InternalServerError: 500,
  ThrottlingException: 500,
  // Not Rekognition errors: the generic AWS JSON protocol answers for an unknown X-Amz-Target and a
  // missing, malformed or expired signature.
  UnknownOperationException: 400,
  MissingAuthenticationTokenException: 403,
  IncompleteSignatureException: 400,
  InvalidSignatureException: 400,
} as const;

export type RekognitionErrorName = keyof typeof REKOGNITION_ERROR_STATUS;

export function isRekognitionErrorName(name: unknown): name is RekognitionErrorName {
  return typeof name === 'string' && Object.hasOwn(REKOGNITION_ERROR_STATUS, name);
}

export class RekognitionError extends Error {
  override readonly name: RekognitionErrorName;
  readonly statusCode: number;

  constructor(name: RekognitionErrorName, message: string) {
    super(message);
    this.name = name;
    this.statusCode = REKOGNITION_ERROR_STATUS[name];
  }

  /** The JSON body AWS JSON 1.1 services send with an error. */
  toBody(): { __type: RekognitionErrorName; message: string } {
    return { __type: this.name, message: this.message };
  }
}

/** Anything thrown that is not a RekognitionError becomes an InternalServerError (message kept for logs). */
export function toRekognitionError(err: unknown): RekognitionError {
  if (err instanceof RekognitionError) return err;
  const e = err as { name?: unknown; message?: unknown } | undefined;
  if (e && isRekognitionErrorName(e.name)) return new RekognitionError(e.name, String(e.message ?? e.name));
  return new RekognitionError('InternalServerError', e && typeof e.message === 'string' ? e.message : String(err));
}
