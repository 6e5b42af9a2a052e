/**
 * Who may call the local S3 store: a request whose Host is a loopback name for this port, that is not
 * a browser cross-site request, and that is signed (SigV4 header or presigned query, any access key,
 * not expired). A browser-form POST carries its signature in the form instead: post-object.ts checks it.
 * The reasons for each check are in local/http/loopback-guard.ts and local/http/request-signature.ts.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { guardRefusal } from '../http/loopback-guard';
import { signatureProblem } from '../http/request-signature';
import { S3Error, s3Errors } from './s3-errors';

export interface RequestCredentials {
  headers: IncomingHttpHeaders;
  query: URLSearchParams;
}

export interface AuthorizeOptions {
  /** The port the store listens on: the only one a Host header may name. */
  port: number;
  /** A browser-form POST: signed by its form fields, checked when the form is read. */
  formPost?: boolean;
  now?: number;
}

export function authorizeRequest(request: RequestCredentials, options: AuthorizeOptions): void {
  const refusal = guardRefusal(request.headers, options.port);
  if (refusal) throw s3Errors.accessDenied(refusal);
  if (options.formPost) return;
  const problem = signatureProblem(request.headers, request.query, options.now);
  if (!problem) return;
  const byQuery = request.headers.authorization === undefined;
  switch (problem.kind) {
    case 'missing':
      throw s3Errors.accessDenied(`Access Denied: ${problem.message}`);
    case 'expired':
      throw s3Errors.accessDenied(problem.message);
    case 'skewed':
      throw new S3Error(
        'RequestTimeTooSkewed',
        403,
        `The difference between the request time and the current time is too large: ${problem.message}`,
      );
    case 'malformed':
      throw byQuery
        ? new S3Error('AuthorizationQueryParametersError', 400, problem.message)
        : new S3Error('AuthorizationHeaderMalformed', 400, `The authorization header is malformed; ${problem.message}`);
  }
}
