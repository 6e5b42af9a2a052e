/**
 * Who may call the local S3 store. Today: any access key, signed or presigned (as with s3rver); an
 * expired presigned URL is refused. This is THE seam for the coming checks (Host a loopback name with
 * this port, Origin the console's, a SigV4 or presigned signature required): add them here.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { s3Errors } from './s3-errors';

export interface RequestCredentials {
  headers: IncomingHttpHeaders;
  query: URLSearchParams;
}

export function authorizeRequest(request: RequestCredentials, now = Date.now()): void {
  const date = request.query.get('X-Amz-Date');
  const expires = request.query.get('X-Amz-Expires');
  if (date && expires) {
    const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(date);
    if (!match || !/^\d+$/.test(expires)) throw s3Errors.accessDenied('Invalid presigned URL date or expiry');
    const signedAt = Date.UTC(+match[1], +match[2] - 1, +match[3], +match[4], +match[5], +match[6]);
    if (now > signedAt + Number(expires) * 1000) throw s3Errors.accessDenied('Request has expired');
  }
}
