/**
 * Whether a request to a local AWS endpoint is signed: a well-formed SigV4 Authorization header with a
 * current X-Amz-Date, or a well-formed, unexpired presigned query (X-Amz-Algorithm, -Credential, -Date,
 * -Expires, -SignedHeaders, -Signature). Any access key is accepted; anonymous requests are not.
 * S3's older SigV2 forms are accepted too (`Authorization: AWS key:signature`, and the presigned query
 * AWSAccessKeyId/Signature/Expires): the AWS CLI v1's `aws s3 presign` still makes SigV2 URLs.
 *
 * Why the signature itself is not verified: users point the AWS CLI and SDKs at the local stack with
 * their own profile (any key), and verifying needs that key's secret, which the stack cannot know;
 * accepting only LOCAL_CREDENTIALS would break every such client and add nothing, since an attacker can
 * sign with that published secret too. The protection against web pages is the Host and Origin check
 * (loopback-guard.ts): a page cannot set an Authorization header cross-origin without a CORS preflight,
 * which is refused. Requiring a well-formed, current signature on top ends anonymous access (plain
 * <form> posts, `curl` without credentials) and makes a captured signed request useless after 15
 * minutes, as on AWS.
 */
import type { IncomingHttpHeaders } from 'node:http';

/** What is wrong with a request's signature; each endpoint answers it in its own error shape. */
export interface SignatureProblem {
  kind: 'missing' | 'malformed' | 'expired' | 'skewed';
  message: string;
}

/** AWS refuses a signed request whose date is more than 15 minutes from its clock. */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;
/** The longest a presigned URL may live (7 days), as on AWS. */
const MAX_PRESIGN_SECONDS = 604_800;
const ALGORITHM = 'AWS4-HMAC-SHA256';
const SIGNATURE = /^[0-9a-f]{64}$/;

export function signatureProblem(headers: IncomingHttpHeaders, query: URLSearchParams, now = Date.now()): SignatureProblem | undefined {
  const authorization = headers.authorization;
  if (authorization === undefined && query.has('AWSAccessKeyId') && query.has('Signature')) return presignedV2Problem(query, now);
  if (typeof authorization === 'string' && /^AWS [^:\s]+:/.test(authorization)) return headerV2Problem(authorization, headers, now);
  const presigned = query.has('X-Amz-Algorithm') || query.has('X-Amz-Signature') || query.has('X-Amz-Credential');
  if (authorization !== undefined && presigned)
    return malformed("found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as an HTTP header");
  if (authorization !== undefined) return headerProblem(String(authorization), headers, now);
  if (presigned) return presignedProblem(headers, query, now);
  return {
    kind: 'missing',
    message: 'the request is not signed: anonymous access to the local stack is refused (sign it with any access key)',
  };
}

function headerProblem(authorization: string, headers: IncomingHttpHeaders, now: number): SignatureProblem | undefined {
  const match = /^AWS4-HMAC-SHA256 +(.*)$/.exec(authorization.trim());
  if (!match) return malformed(`the Authorization header is not ${ALGORITHM}`);
  const fields = new Map<string, string>();
  for (const part of match[1].split(',')) {
    const at = part.indexOf('=');
    if (at > 0) fields.set(part.slice(0, at).trim(), part.slice(at + 1).trim());
  }
  const date = typeof headers['x-amz-date'] === 'string' ? headers['x-amz-date'] : undefined;
  const signedAt = date !== undefined ? parseAmzDate(date) : typeof headers.date === 'string' ? Date.parse(headers.date) : NaN;
  if (Number.isNaN(signedAt)) return malformed('a signed request needs an X-Amz-Date (or Date) header in the form YYYYMMDDTHHMMSSZ');
  return (
    credentialProblem(fields.get('Credential'), signedAt) ??
    signedHeadersProblem(fields.get('SignedHeaders'), headers) ??
    (SIGNATURE.test(fields.get('Signature') ?? '') ? undefined : malformed('the Signature must be 64 hex digits')) ??
    (Math.abs(now - signedAt) > MAX_CLOCK_SKEW_MS
      ? {
          kind: 'skewed',
          message: `the difference between the request time (${new Date(signedAt).toISOString()}) and the server's time is too large`,
        }
      : undefined)
  );
}

function presignedProblem(headers: IncomingHttpHeaders, query: URLSearchParams, now: number): SignatureProblem | undefined {
  if (query.get('X-Amz-Algorithm') !== ALGORITHM) return malformed(`X-Amz-Algorithm must be ${ALGORITHM}`);
  const signedAt = parseAmzDate(query.get('X-Amz-Date') ?? '');
  if (Number.isNaN(signedAt)) return malformed('X-Amz-Date must be in the form YYYYMMDDTHHMMSSZ');
  const expires = query.get('X-Amz-Expires') ?? '';
  if (!/^\d{1,6}$/.test(expires) || Number(expires) < 1 || Number(expires) > MAX_PRESIGN_SECONDS) {
    return malformed(`X-Amz-Expires must be a number of seconds from 1 to ${MAX_PRESIGN_SECONDS}`);
  }
  const problem =
    credentialProblem(query.get('X-Amz-Credential') ?? undefined, signedAt) ??
    signedHeadersProblem(query.get('X-Amz-SignedHeaders') ?? undefined, headers) ??
    (SIGNATURE.test(query.get('X-Amz-Signature') ?? '') ? undefined : malformed('X-Amz-Signature must be 64 hex digits'));
  if (problem) return problem;
  if (now > signedAt + Number(expires) * 1000) return { kind: 'expired', message: 'Request has expired' };
  if (signedAt - now > MAX_CLOCK_SKEW_MS) return { kind: 'skewed', message: 'Request is not yet valid' };
  return undefined;
}

function presignedV2Problem(query: URLSearchParams, now: number): SignatureProblem | undefined {
  if (!/^[A-Za-z0-9+/]{20,}={0,2}$/.test(query.get('Signature') ?? '')) return malformed('the Signature must be base64');
  const expires = query.get('Expires') ?? '';
  if (!/^\d{1,12}$/.test(expires)) return malformed('Expires must be a time in seconds since the epoch');
  if (now > Number(expires) * 1000) return { kind: 'expired', message: 'Request has expired' };
  return undefined;
}

function headerV2Problem(authorization: string, headers: IncomingHttpHeaders, now: number): SignatureProblem | undefined {
  if (!/^AWS [^:\s]+:[A-Za-z0-9+/]{20,}={0,2}$/.test(authorization.trim()))
    return malformed('the Authorization header is not AWS <key>:<signature>');
  const date = headers['x-amz-date'] ?? headers.date;
  const signedAt = typeof date === 'string' ? Date.parse(date) : NaN;
  if (Number.isNaN(signedAt)) return malformed('a signed request needs a Date or X-Amz-Date header');
  if (Math.abs(now - signedAt) > MAX_CLOCK_SKEW_MS)
    return { kind: 'skewed', message: `the request time (${new Date(signedAt).toISOString()}) is too far from the server's time` };
  return undefined;
}

/** `AKID/YYYYMMDD/region/service/aws4_request`, its date the signing date's. */
function credentialProblem(credential: string | undefined, signedAt: number): SignatureProblem | undefined {
  const parts = (credential ?? '').split('/');
  if (parts.length !== 5 || parts[0] === '' || parts[2] === '' || parts[3] === '' || parts[4] !== 'aws4_request') {
    return malformed('the Credential must be <access key>/<date>/<region>/<service>/aws4_request');
  }
  if (parts[1] !== new Date(signedAt).toISOString().slice(0, 10).replace(/-/g, ''))
    return malformed('the Credential date does not match the request date');
  return undefined;
}

/** SigV4 always signs `host`; every header named as signed must be present. */
function signedHeadersProblem(signedHeaders: string | undefined, headers: IncomingHttpHeaders): SignatureProblem | undefined {
  const names = (signedHeaders ?? '').split(';');
  if (!names.includes('host')) return malformed('SignedHeaders must include host');
  const absent = names.find((name) => headers[name.toLowerCase()] === undefined);
  return absent === undefined ? undefined : malformed(`the signed header ${absent.slice(0, 100)} is not in the request`);
}

/** `20240131T235959Z` → epoch ms; NaN when not that form. */
export function parseAmzDate(text: string): number {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!match) return NaN;
  const [, y, mo, d, h, mi, s] = match.map(Number);
  const time = Date.UTC(y, mo - 1, d, h, mi, s);
  return new Date(time).getUTCDate() === d && h < 24 && mi < 60 && s < 61 ? time : NaN;
}

function malformed(message: string): SignatureProblem {
  return { kind: 'malformed', message };
}
