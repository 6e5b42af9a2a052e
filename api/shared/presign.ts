/**
 * Presigned S3 URLs and POST forms, signed with the S3 client's own credentials, region and endpoint
 * (so they point at AWS or at the local S3, whichever the client talks to). @aws-sdk/s3-request-presigner
 * and @aws-sdk/s3-presigned-post are not installed: the URL is the client's own request, captured before
 * it is sent and presigned with @smithy/signature-v4; the POST policy is signed as S3's SigV4 POST
 * documentation describes (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-post-example.html).
 */
import { createHmac } from 'node:crypto';
import { GetObjectCommand, HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import type { HttpRequest, MiddlewareStack } from '@smithy/types';

const CAPTURED = Symbol('captured request');

/** The HTTP request the client would send for `command`, endpoint resolved, not signed, not sent. */
async function capture(s3: S3Client, command: GetObjectCommand | HeadBucketCommand): Promise<HttpRequest> {
  const stack = command.middlewareStack as unknown as MiddlewareStack<object, object>;
  stack.add(
    (() => async (args: { request: unknown }) => {
      throw Object.assign(new Error('captured'), { [CAPTURED]: args.request as HttpRequest });
    }) as never,
    // After every build step (host header, user agent), before retries and signing.
    { step: 'build', priority: 'low', name: 'picflowCaptureRequest' },
  );
  try {
    // The client's own middleware stack, without client.send (which a test's mock replaces).
    const handler = command.resolveMiddleware(s3.middlewareStack as never, s3.config, {});
    await handler({ input: command.input } as never);
  } catch (error) {
    const request = (error as Record<symbol, HttpRequest | undefined>)[CAPTURED];
    if (request) return request;
    throw error;
  }
  throw new Error('the S3 client sent a request that should have been captured');
}

function urlOf(request: Pick<HttpRequest, 'protocol' | 'hostname' | 'port' | 'path'>, query = ''): string {
  return `${request.protocol}//${request.hostname}${request.port ? `:${request.port}` : ''}${request.path}${query}`;
}

/** A GET URL for one object, valid for `expiresIn` seconds. */
export async function presignGetUrl(s3: S3Client, bucket: string, key: string, expiresIn: number, now = new Date()): Promise<string> {
  const request = await capture(s3, new GetObjectCommand({ Bucket: bucket, Key: key }));
  const signer = new SignatureV4({
    service: 's3',
    region: await s3.config.region(),
    credentials: s3.config.credentials,
    sha256: s3.config.sha256,
    // S3 signs the path as sent, not double-encoded.
    uriEscapePath: false,
  });
  const host = `${request.hostname}${request.port ? `:${request.port}` : ''}`;
  const signed = await signer.presign(
    {
      method: 'GET',
      protocol: request.protocol,
      hostname: request.hostname,
      port: request.port,
      path: request.path,
      query: {},
      headers: { host },
    },
    { expiresIn, signingDate: now },
  );
  const query = Object.entries(signed.query ?? {})
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`)
    .join('&');
  return urlOf(request, `?${query}`);
}

export interface PresignedPost {
  /** Where the form is POSTed. */
  url: string;
  /** Form fields to send, in this order, before the `file` field. */
  fields: Record<string, string>;
  expiresAt: string;
}

/** A POST policy condition, as S3 takes it: `{ field: value }`, `['starts-with', '$field', prefix]`, `['content-length-range', min, max]`. */
export type PostCondition = Record<string, string> | [string, string, string | number] | ['content-length-range', number, number];

/**
 * A browser-form upload to `key`, allowed only under `conditions` (S3 checks them, and refuses a
 * form whose fields are not all covered by the policy).
 */
export async function presignPost(
  s3: S3Client,
  options: { bucket: string; key: string; fields?: Record<string, string>; conditions: PostCondition[]; expiresIn: number; now?: Date },
): Promise<PresignedPost> {
  const now = options.now ?? new Date();
  const request = await capture(s3, new HeadBucketCommand({ Bucket: options.bucket }));
  const region = await s3.config.region();
  const credentials = await s3.config.credentials();
  const amzDate = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const fields: Record<string, string> = {
    bucket: options.bucket,
    key: options.key,
    ...options.fields,
    'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
    'X-Amz-Credential': `${credentials.accessKeyId}/${day}/${region}/s3/aws4_request`,
    'X-Amz-Date': amzDate,
    // A Lambda role's credentials are temporary: S3 needs the session token, inside the policy too.
    ...(credentials.sessionToken ? { 'X-Amz-Security-Token': credentials.sessionToken } : {}),
  };
  const expiresAt = new Date(now.getTime() + options.expiresIn * 1000);
  const policy = Buffer.from(
    JSON.stringify({
      expiration: expiresAt.toISOString(),
      conditions: [...Object.entries(fields).map(([name, value]) => ({ [name]: value })), ...options.conditions],
    }),
  ).toString('base64');
  let signingKey: Buffer = createHmac('sha256', `AWS4${credentials.secretAccessKey}`).update(day).digest();
  for (const part of [region, 's3', 'aws4_request']) signingKey = createHmac('sha256', signingKey).update(part).digest();
  // The bucket's URL: path-style `/<bucket>` locally, virtual-hosted `/` on AWS; the form posts to it.
  const url = urlOf({ ...request, path: request.path.replace(/\/$/, '') || '/' });
  return {
    url,
    fields: { ...fields, Policy: policy, 'X-Amz-Signature': createHmac('sha256', signingKey).update(policy).digest('hex') },
    expiresAt: expiresAt.toISOString(),
  };
}
