/**
 * Same-origin passage to the local S3 for what the HTTP API hands out: a presigned GET (thumbnails,
 * originals) and a presigned browser-form POST (POST /uploads). The local S3 refuses every browser
 * request from another origin (local/http/loopback-guard.ts: no CORS, any Origin or Sec-Fetch-Site
 * same-site refused), and the console's CSP allows images from itself only, so the page sends these
 * to /api/s3/<bucket>/<key>?<signed query> and this forwards them unchanged to the stack's S3 endpoint.
 * Only what the page needs passes: a presigned GET (X-Amz-Signature) of an object under the prefixes
 * the console shows anyway (uploads, thumbnails, normalized copies: as /api/objects), and a form POST
 * (multipart/form-data) to the stack's bucket, which S3 checks against the form's signed policy. The
 * local S3 checks a presigned URL's expiry, not its signature (any access key), hence the prefix check.
 */
import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import { HttpError } from './http-responses';

export const S3_PASSTHROUGH_PREFIX = '/api/s3/';

/** The answer headers worth passing on to the page. */
const PASSED_HEADERS = ['content-type', 'content-length', 'etag', 'last-modified', 'location'];

export interface S3Passage {
  endpoint: string;
  bucket: string;
  /** Key prefixes a GET may read. */
  readablePrefixes: readonly string[];
}

export function forwardToS3(
  { endpoint: s3Endpoint, bucket, readablePrefixes }: S3Passage,
  req: IncomingMessage,
  res: ServerResponse,
  target: string,
): Promise<void> {
  const rest = target.slice(S3_PASSTHROUGH_PREFIX.length - 1); // "/bucket/key?query"
  const queryAt = rest.indexOf('?');
  const path = queryAt < 0 ? rest : rest.slice(0, queryAt);
  const query = new URLSearchParams(queryAt < 0 ? '' : rest.slice(queryAt + 1));
  const method = req.method ?? 'GET';
  let key: string;
  try {
    key = decodeURIComponent(path.slice(bucket.length + 2));
  } catch {
    throw new HttpError(400, 'bad object key');
  }
  if (!path.startsWith(`/${bucket}`) || !['', '/'].includes(path.slice(bucket.length + 1, bucket.length + 2)))
    throw new HttpError(403, `only the bucket ${bucket} is reachable`);
  if (method === 'GET') {
    if (!query.has('X-Amz-Signature')) throw new HttpError(403, 'only presigned GETs pass to the local S3');
    if (key.includes('..') || !readablePrefixes.some((prefix) => key.startsWith(prefix)))
      throw new HttpError(403, `only objects under ${readablePrefixes.join(', ')} are readable here`);
  } else if (method === 'POST') {
    const type = String(req.headers['content-type'] ?? '');
    if (key !== '' || !type.startsWith('multipart/form-data'))
      throw new HttpError(403, 'only presigned form POSTs (multipart/form-data to a bucket) pass to the local S3');
  } else throw new HttpError(405, 'method not allowed');

  const endpoint = new URL(s3Endpoint);
  const headers: Record<string, string> = {};
  for (const name of ['content-type', 'content-length', 'range', 'if-none-match', 'if-modified-since']) {
    const value = req.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  return new Promise((resolve, reject) => {
    // No Origin or Sec-Fetch-* headers: this server is the client now, and the page was admitted by the console's guards.
    const upstream = request({ host: endpoint.hostname, port: endpoint.port, method, path: rest, headers }, (answer) => {
      const passed: Record<string, string> = { 'cache-control': 'private, max-age=300', 'x-content-type-options': 'nosniff' };
      for (const name of PASSED_HEADERS) {
        const value = answer.headers[name];
        if (typeof value === 'string') passed[name] = value;
      }
      res.writeHead(answer.statusCode ?? 502, passed);
      answer.pipe(res);
      answer.on('end', resolve);
      answer.on('error', reject);
    });
    upstream.on('error', (error) => reject(new HttpError(502, `the local S3 did not answer: ${error.message}`)));
    req.pipe(upstream);
  });
}
