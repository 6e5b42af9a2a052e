/**
 * Test helpers for the task tests: fresh inputs (never a shared mutable fixture), S3 bodies as the
 * SDK returns them, and the environment each test runs with.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
// @smithy/util-stream's sdkStreamMixin, as bundled in @smithy/core (the SDK's own dependency).
import { sdkStreamMixin } from '@smithy/core/serde';
import type { PutObjectCommandInput } from '@aws-sdk/client-s3';
import type { AnalysisInput, ImageRef, ValidationResult } from '../../../tasks/shared/types';

export const BUCKET = 'picflow-test-bucket';
export const ETAG = '9b2cf535f27731c974343645a3985328';

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'images');

/** A fresh copy of a sample image from test/fixtures/images/. */
export function fixture(name: string): Buffer {
  return readFileSync(join(FIXTURES, name));
}

/** An S3 GetObject body, as the SDK hands it out in Node (a Readable with the SDK's helpers mixed in). */
export function s3Body(buffer: Buffer) {
  return sdkStreamMixin(Readable.from([buffer]));
}

export function imageRef(overrides: Partial<ImageRef> = {}): ImageRef {
  return {
    imageId: `${BUCKET}/uploads/photos/astronaut.png`,
    bucket: BUCKET,
    key: 'uploads/photos/astronaut.png',
    etag: ETAG,
    size: 1000,
    sequencer: '0062E99A88DC407460',
    eventTime: '2026-01-02T03:04:05Z',
    ...overrides,
  };
}

export function validationResult(overrides: Partial<ValidationResult> = {}): ValidationResult {
  return {
    format: 'png',
    width: 512,
    height: 512,
    bytes: 1000,
    analysisObject: { bucket: BUCKET, key: 'uploads/photos/astronaut.png' },
    normalized: false,
    image: imageRef(),
    ...overrides,
  };
}

export function analysisInput(overrides: { image?: Partial<ImageRef>; validation?: Partial<ValidationResult> } = {}): AnalysisInput {
  return { image: imageRef(overrides.image), validation: validationResult(overrides.validation) };
}

/** Sets the environment for each test of the enclosing describe and restores it afterwards. */
export function useEnv(vars: Record<string, string | undefined> = {}): void {
  let saved: NodeJS.ProcessEnv;
  beforeEach(() => {
    saved = { ...process.env };
    process.env.TABLE_NAME = 'picflow-test';
    for (const [name, value] of Object.entries(vars)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });
  afterEach(() => {
    process.env = saved;
  });
}

/** The body of a PutObject call as bytes. */
export function putBody(input: PutObjectCommandInput): Buffer {
  const body = input.Body;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return Buffer.from(body);
  throw new Error(`unexpected PutObject body type: ${typeof body}`);
}

/** An SDK-shaped error (what the clients throw), without reaching for each service's exception classes. */
export function awsError(name: string, httpStatusCode: number, message = `${name} happened`): Error {
  return Object.assign(new Error(message), {
    name,
    $fault: httpStatusCode >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode },
  });
}
