// Every endpoint of the real local stack (S3, DynamoDB, SQS, Rekognition, console, HTTP API) gets each malformed or
// hostile request of MALFORMED_REQUESTS over a raw socket; each answer is checked, and after each one the
// endpoint must still serve a valid request (a crash would end this test process). README: "Reliability
// and security of the local stack" lists this table.
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiServer, type ApiServer } from '../../local/api/api-server';
import { startConsoleServer, type ConsoleServer } from '../../local/console/server';
import { startLocalStack, type LocalStack } from '../../local/stack/local-stack';
import { signedHeaders } from './support/signed-headers';

type Endpoint = 's3' | 'dynamodb' | 'sqs' | 'rekognition' | 'console' | 'api';
const ENDPOINTS: Endpoint[] = ['s3', 'dynamodb', 'sqs', 'rekognition', 'console', 'api'];

interface RawRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  /** Send only this much of the body, then close the connection (a truncated body). */
  truncateAt?: number;
  /** Send the body as chunks of this many bytes, without a Content-Length, until the server answers. */
  streamBytes?: number;
  /** Bytes sent as they are, instead of a request built from the fields above. */
  raw?: string;
}

interface Answer {
  status: number;
  headers: string;
  body: string;
}

/** The valid request of each endpoint, to which each case applies its change. */
function validRequest(endpoint: Endpoint, port: number): RawRequest {
  const host = { host: `127.0.0.1:${port}` };
  const json = (target: string, type: string, service: string): RawRequest => ({
    method: 'POST',
    path: '/',
    headers: { ...host, 'content-type': type, 'x-amz-target': target, ...signedHeaders(service) },
    body: '{}',
  });
  switch (endpoint) {
    case 's3':
      return { method: 'GET', path: '/picflow-local?list-type=2', headers: { ...host, ...signedHeaders('s3') } };
    case 'dynamodb':
      return json('DynamoDB_20120810.ListTables', 'application/x-amz-json-1.0', 'dynamodb');
    case 'sqs':
      return json('AmazonSQS.ListQueues', 'application/x-amz-json-1.0', 'sqs');
    case 'rekognition':
      return json('RekognitionService.DetectLabels', 'application/x-amz-json-1.1', 'rekognition');
    case 'console':
      return { method: 'POST', path: '/api/dead-letters/replay', headers: { ...host, 'content-type': 'application/json' }, body: '{}' };
    case 'api':
      // The HTTP API (picflow dev's own port): asking for a presigned upload writes nothing.
      return {
        method: 'POST',
        path: '/uploads',
        headers: { ...host, 'content-type': 'application/json' },
        body: '{"contentType":"image/png"}',
      };
  }
}

/** What a valid request is answered with (Rekognition: '{}' has no Image, so a 400 in its own shape). */
const VALID_ANSWER: Record<Endpoint, { status: number; body: RegExp }> = {
  s3: { status: 200, body: /<ListBucketResult/ },
  dynamodb: { status: 200, body: /"TableNames"/ },
  sqs: { status: 200, body: /"QueueUrls"/ },
  rekognition: { status: 400, body: /"__type":"InvalidParameterException"/ },
  console: { status: 200, body: /"outcomes"/ },
  api: { status: 201, body: /"imageId"/ },
};

const without = (headers: Record<string, string>, ...names: string[]) =>
  Object.fromEntries(Object.entries(headers).filter(([name]) => !names.includes(name)));
const hourAgo = () => new Date(Date.now() - 3_600_000);
const MiB = 1024 * 1024;

/** status: the answer expected per endpoint (a number, or a list of acceptable ones); absent: not applicable. */
interface Case {
  name: string;
  change(request: RawRequest, endpoint: Endpoint, port: number): RawRequest;
  expect: Partial<Record<Endpoint, number | number[] | 'no answer'>>;
  /** Text the answer must contain, per endpoint (the service's own error shape). */
  code?: Partial<Record<Endpoint, string>>;
}

const ALL_AWS = (status: number | number[] | 'no answer') => ({ s3: status, dynamodb: status, sqs: status, rekognition: status });

/** THE table of malformed and hostile requests (README lists it). */
const MALFORMED_REQUESTS: Case[] = [
  {
    name: 'no signature (anonymous)',
    change: (r) => ({ ...r, headers: without(r.headers, 'authorization', 'x-amz-date') }),
    expect: { s3: 403, dynamodb: 400, sqs: 403, rekognition: 403 },
    code: {
      s3: '<Code>AccessDenied</Code>',
      dynamodb: 'MissingAuthenticationTokenException',
      sqs: 'MissingAuthenticationToken',
      rekognition: 'MissingAuthenticationTokenException',
    },
  },
  {
    name: 'malformed signature (Signature=00, no Credential date)',
    change: (r) => ({ ...r, headers: { ...r.headers, authorization: 'AWS4-HMAC-SHA256 Credential=x, SignedHeaders=host, Signature=00' } }),
    expect: { s3: 400, dynamodb: 400, sqs: 403, rekognition: 400 },
    code: {
      s3: 'AuthorizationHeaderMalformed',
      dynamodb: 'IncompleteSignatureException',
      sqs: 'IncompleteSignature',
      rekognition: 'IncompleteSignatureException',
    },
  },
  {
    name: 'signature dated an hour ago',
    change: (r) => ({ ...r, headers: { ...r.headers, ...signedHeaders('s3', hourAgo()) } }),
    expect: { s3: 403, dynamodb: 400, sqs: 403, rekognition: 400 },
    code: {
      s3: 'RequestTimeTooSkewed',
      dynamodb: 'InvalidSignatureException',
      sqs: 'RequestExpired',
      rekognition: 'InvalidSignatureException',
    },
  },
  {
    name: 'expired presigned query signature',
    change: (r) => {
      const date = signedHeaders('s3', hourAgo())['x-amz-date'];
      const query = [
        'X-Amz-Algorithm=AWS4-HMAC-SHA256',
        `X-Amz-Credential=k%2F${date.slice(0, 8)}%2Fus-east-1%2Fs3%2Faws4_request`,
        `X-Amz-Date=${date}`,
        'X-Amz-Expires=60',
        'X-Amz-SignedHeaders=host',
        `X-Amz-Signature=${'0'.repeat(64)}`,
      ].join('&');
      return {
        ...r,
        path: `${r.path}${r.path.includes('?') ? '&' : '?'}${query}`,
        headers: without(r.headers, 'authorization', 'x-amz-date'),
      };
    },
    expect: { s3: 403, dynamodb: 400, sqs: 403, rekognition: 400 },
    code: {
      s3: 'Request has expired',
      dynamodb: 'InvalidSignatureException',
      sqs: 'RequestExpired',
      rekognition: 'InvalidSignatureException',
    },
  },
  {
    name: 'SigV2 presigned query, current (the AWS CLI v1 `aws s3 presign`): served',
    change: (r) => ({
      ...r,
      path: `${r.path}&AWSAccessKeyId=k&Signature=CxcAwAhTCSVQiif4UoFXcv24qR0%3D&Expires=${Math.floor(Date.now() / 1000) + 600}`,
      headers: without(r.headers, 'authorization', 'x-amz-date'),
    }),
    expect: { s3: 200 },
  },
  {
    name: 'SigV2 presigned query, expired',
    change: (r) => ({
      ...r,
      path: `${r.path}&AWSAccessKeyId=k&Signature=CxcAwAhTCSVQiif4UoFXcv24qR0%3D&Expires=${Math.floor(Date.now() / 1000) - 60}`,
      headers: without(r.headers, 'authorization', 'x-amz-date'),
    }),
    expect: { s3: 403 },
    code: { s3: 'Request has expired' },
  },
  {
    name: 'Host of another name (DNS rebinding)',
    change: (r, _e, port) => ({ ...r, headers: { ...r.headers, host: `evil.example:${port}` } }),
    expect: { ...ALL_AWS(403), rekognition: 400, console: 403, api: 403 },
    code: {
      s3: '<Code>AccessDenied</Code>',
      dynamodb: 'AccessDeniedException',
      sqs: 'AccessDenied',
      rekognition: 'AccessDeniedException',
      api: '"code":"Forbidden"',
    },
  },
  {
    name: 'Host of a loopback name with another port',
    change: (r) => ({ ...r, headers: { ...r.headers, host: 'localhost:1' } }),
    expect: { ...ALL_AWS(403), rekognition: 400, console: 403, api: 403 },
    code: { rekognition: 'AccessDeniedException' },
  },
  {
    name: 'no Host header',
    change: (r) => ({ ...r, headers: without(r.headers, 'host') }),
    // HTTP/1.1 requires Host: Node itself answers 400 before any handler.
    expect: { ...ALL_AWS(400), console: 400, api: 400 },
  },
  {
    name: 'cross-site Origin',
    change: (r) => ({ ...r, headers: { ...r.headers, origin: 'http://evil.example' } }),
    expect: { ...ALL_AWS(403), rekognition: 400, console: 403, api: 403 },
    code: { rekognition: 'AccessDeniedException' },
  },
  {
    name: 'Origin of another localhost port',
    change: (r) => ({ ...r, headers: { ...r.headers, origin: 'http://localhost:3000' } }),
    expect: { ...ALL_AWS(403), rekognition: 400, console: 403, api: 403 },
    code: { rekognition: 'AccessDeniedException' },
  },
  {
    name: 'Sec-Fetch-Site: cross-site (no Origin)',
    change: (r) => ({ ...r, headers: { ...r.headers, 'sec-fetch-site': 'cross-site' } }),
    expect: { ...ALL_AWS(403), rekognition: 400, console: 403, api: 403 },
    code: { rekognition: 'AccessDeniedException' },
  },
  {
    name: 'CORS preflight (OPTIONS with Origin)',
    change: (r) => ({
      ...r,
      method: 'OPTIONS',
      body: undefined,
      headers: { ...without(r.headers, 'content-type'), origin: 'http://evil.example', 'access-control-request-method': 'PUT' },
    }),
    expect: { ...ALL_AWS(403), rekognition: 400, console: 403, api: 403 },
    code: { rekognition: 'AccessDeniedException' },
  },
  {
    name: 'oversized body, declared (Content-Length 10 GiB, nothing sent)',
    change: (r) => ({
      ...r,
      method: r.method === 'GET' ? 'PUT' : r.method,
      path: r.method === 'GET' ? '/picflow-local/uploads/big.bin' : r.path,
      body: undefined,
      headers: { ...r.headers, 'content-length': String(10 * 1024 ** 3) },
    }),
    expect: { s3: 400, dynamodb: 413, sqs: 413, rekognition: 400, console: 413, api: 413 },
    code: {
      s3: 'EntityTooLarge',
      dynamodb: 'ValidationException',
      sqs: 'RequestEntityTooLarge',
      rekognition: 'ImageTooLargeException',
      api: 'TooLarge',
    },
  },
  {
    name: 'oversized body, streamed (chunked, past the limit)',
    change: (r, endpoint) =>
      endpoint === 's3'
        ? { ...r, method: 'POST', path: '/picflow-local?delete', body: undefined, streamBytes: 3 * MiB } // the XML limit: 2 MiB
        : {
            ...r,
            body: undefined,
            streamBytes: { s3: 0, dynamodb: 17 * MiB, sqs: 3 * MiB, rekognition: 9 * MiB, console: 1 * MiB, api: 7 * MiB }[endpoint],
          },
    expect: { s3: 400, dynamodb: 413, sqs: 413, rekognition: 400, console: 413, api: 413 },
    code: {
      api: 'TooLarge',
      s3: 'MaxMessageLengthExceeded',
      dynamodb: 'ValidationException',
      sqs: 'RequestEntityTooLarge',
      rekognition: 'ImageTooLargeException',
    },
  },
  {
    name: 'truncated body (Content-Length 100, 10 bytes sent, connection closed)',
    change: (r) => ({
      ...r,
      method: r.method === 'GET' ? 'PUT' : r.method,
      path: r.method === 'GET' ? '/picflow-local/uploads/t.bin' : r.path,
      body: '{"a":"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"}'.slice(0, 100),
      truncateAt: 10,
    }),
    expect: { ...ALL_AWS('no answer'), console: 'no answer', api: 'no answer' },
  },
  {
    name: 'malformed JSON / XML body',
    change: (r, endpoint) =>
      endpoint === 's3'
        ? { ...r, method: 'POST', path: '/picflow-local?delete', body: '<Delete><Object><Key>a</Key></Object' }
        : { ...r, body: '{"unterminated' },
    expect: { ...ALL_AWS(400), console: 400, api: 400 },
    code: {
      s3: 'MalformedXML',
      dynamodb: 'SerializationException',
      sqs: 'SerializationException',
      rekognition: 'InvalidParameterException',
    },
  },
  {
    name: 'JSON that is not an object',
    change: (r, endpoint) => (endpoint === 's3' ? r : { ...r, body: '[1,2,3]' }),
    expect: { dynamodb: 400, sqs: 400, rekognition: 400, console: 400, api: 400 },
  },
  {
    name: 'invalid chunked encoding',
    change: (r) => {
      const headers = Object.entries({ ...r.headers, 'transfer-encoding': 'chunked', connection: 'close' }).map(
        ([n, v]) => `${n}: ${v}\r\n`,
      );
      return { ...r, raw: `POST ${r.path} HTTP/1.1\r\n${headers.join('')}\r\nzz;bad\r\nxx\r\n0\r\n\r\n` };
    },
    expect: { ...ALL_AWS(400), console: 400, api: 400 },
  },
  {
    name: 'absurd headers (one of 64 KiB)',
    change: (r) => ({ ...r, headers: { ...r.headers, 'x-absurd': 'a'.repeat(64 * 1024) } }),
    expect: { ...ALL_AWS([400, 431]), console: [400, 431], api: [400, 431] },
  },
  {
    name: 'not HTTP at all',
    change: (r) => ({ ...r, raw: '\u0000\u0001GARBAGE\r\n\r\n' }),
    expect: { ...ALL_AWS(400), console: 400, api: 400 },
  },
  {
    name: 'request target that is not a path (absolute URL of another host)',
    change: (r) => ({ ...r, path: `http://evil.example${r.path}` }),
    // The API matches routes on the path as sent: an absolute URL is no route of it (404 NoSuchRoute), never served.
    expect: { s3: 200, dynamodb: 200, sqs: 200, rekognition: 400, console: 400, api: 404 },
    code: { api: 'NoSuchRoute' },
  },
  {
    name: 'bad percent-encoding in the path',
    change: (r) => ({ ...r, method: 'GET', path: '/picflow-local/%E0%A4%A', body: undefined }),
    expect: { s3: 400 },
    code: { s3: 'InvalidURI' },
  },
  {
    name: 'a 300-byte key segment (s3rver: ENAMETOOLONG, process ended)',
    change: (r) => ({ ...r, method: 'PUT', path: `/picflow-local/uploads/${'k'.repeat(300)}.png`, body: 'x' }),
    expect: { s3: 200 },
  },
  {
    name: '`..` segments in the key (s3rver: wrote outside the data dir)',
    change: (r) => ({ ...r, method: 'PUT', path: '/picflow-local/uploads%2F..%2F..%2F..%2Fescaped.png', body: 'x' }),
    expect: { s3: 200 },
  },
  {
    name: 'a key over 1,024 bytes',
    change: (r) => ({ ...r, method: 'PUT', path: `/picflow-local/${'k'.repeat(1100)}`, body: 'x' }),
    expect: { s3: 400 },
    code: { s3: 'KeyTooLongError' },
  },
  {
    name: 'anonymous browser-form POST (no policy)',
    change: (r) => ({
      ...r,
      method: 'POST',
      path: '/picflow-local',
      headers: { ...without(r.headers, 'authorization', 'x-amz-date'), 'content-type': 'multipart/form-data; boundary=b' },
      body:
        '--b\r\nContent-Disposition: form-data; name="key"\r\n\r\nuploads/x.png\r\n--b\r\nContent-Disposition: form-data; ' +
        'name="file"; filename="x.png"\r\n\r\nx\r\n--b--\r\n',
    }),
    expect: { s3: 403 },
    code: { s3: 'AccessDenied' },
  },
  {
    name: 'malformed multipart form (dicer CVE-2022-24434 header)',
    change: (r) => ({
      ...r,
      method: 'POST',
      path: '/picflow-local',
      headers: { ...r.headers, 'content-type': 'multipart/form-data; boundary=b' },
      body: '--b\r\n Content-Disposition: form-data; name="key"\r\n\r\n\r\n--b--',
    }),
    expect: { s3: 400 },
    code: { s3: 'MalformedPOSTRequest' },
  },
];

/** Sends one request over a fresh connection; resolves with the answer, or status 0 when none came. */
function exchange(port: number, request: RawRequest): Promise<Answer> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    let answered = false;
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(received).toString('latin1');
      const match = /^HTTP\/1\.1 (\d{3})/.exec(text);
      const split = text.indexOf('\r\n\r\n');
      resolve({ status: match ? Number(match[1]) : 0, headers: text.slice(0, split), body: text.slice(split + 4) });
    };
    const timer = setTimeout(finish, 20_000);
    socket.on('data', (chunk) => {
      answered = true;
      received.push(chunk);
    });
    socket.on('error', () => undefined);
    socket.on('close', finish);
    socket.on('connect', () => {
      if (request.raw !== undefined) return void socket.write(request.raw);
      const body = request.body === undefined ? undefined : Buffer.from(request.body);
      const headers: Record<string, string> = { connection: 'close', ...request.headers };
      if (request.streamBytes !== undefined) headers['transfer-encoding'] = 'chunked';
      else if (body !== undefined && headers['content-length'] === undefined) headers['content-length'] = String(body.length);
      const head = `${request.method} ${request.path} HTTP/1.1\r\n${Object.entries(headers)
        .map(([n, v]) => `${n}: ${v}`)
        .join('\r\n')}\r\n\r\n`;
      socket.write(head);
      if (request.truncateAt !== undefined) {
        socket.write(body!.subarray(0, request.truncateAt), () => setTimeout(() => socket.destroy(), 50));
      } else if (request.streamBytes !== undefined) {
        const chunk = Buffer.alloc(256 * 1024, 'a');
        let sent = 0;
        const pump = () => {
          while (!answered && !socket.destroyed && sent < request.streamBytes!) {
            sent += chunk.length;
            if (!socket.write(`${chunk.length.toString(16)}\r\n${chunk.toString()}\r\n`)) return void socket.once('drain', pump);
          }
          if (!answered && !socket.destroyed) socket.write('0\r\n\r\n');
        };
        pump();
      } else if (body !== undefined) {
        socket.write(body);
      }
    });
  });
}

describe('local stack hardening: every endpoint, every malformed request', () => {
  let dataDir: string;
  let stack: LocalStack;
  let consoleServer: ConsoleServer;
  let apiServer: ApiServer;
  const ports = {} as Record<Endpoint, number>;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'picflow-hardening-'));
    stack = await startLocalStack({ dataDir, rekognitionWorkers: 1, taskEnvironment: { ANALYSES: '' } });
    consoleServer = await startConsoleServer({ stack, port: 0 });
    apiServer = await startApiServer({ deps: { ...stack.tasks, bucket: stack.bucket }, port: 0 });
    for (const endpoint of ['s3', 'dynamodb', 'sqs', 'rekognition'] as const)
      ports[endpoint] = Number(new URL(stack.endpoints[endpoint]).port);
    ports.console = consoleServer.port;
    ports.api = apiServer.port;
  }, 60_000);

  afterAll(async () => {
    await apiServer?.close();
    await consoleServer?.close();
    await stack?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it.each(ENDPOINTS)('%s answers its valid request (the baseline each case changes)', async (endpoint) => {
    // Act
    const answer = await exchange(ports[endpoint], validRequest(endpoint, ports[endpoint]));

    // Assess
    expect(answer.status).toBe(VALID_ANSWER[endpoint].status);
    expect(answer.body).toMatch(VALID_ANSWER[endpoint].body);
  });

  const rows = MALFORMED_REQUESTS.flatMap((c) => ENDPOINTS.filter((e) => c.expect[e] !== undefined).map((e) => [e, c.name, c] as const));

  it.each(rows)(
    '%s: %s → answered, and still serving',
    async (endpoint, _name, testCase) => {
      // Prepare
      const port = ports[endpoint];
      const request = testCase.change(validRequest(endpoint, port), endpoint, port);

      // Act
      const answer = await exchange(port, request);
      const after = await exchange(port, validRequest(endpoint, port));

      // Assess
      const expected = testCase.expect[endpoint]!;
      if (expected === 'no answer') expect(answer.status).toBe(0);
      else expect(Array.isArray(expected) ? expected : [expected]).toContain(answer.status);
      if (testCase.code?.[endpoint]) expect(answer.body).toContain(testCase.code[endpoint]);
      expect(answer.headers.toLowerCase()).not.toContain('access-control-allow-origin');
      expect(after.status).toBe(VALID_ANSWER[endpoint].status);
      expect(after.body).toMatch(VALID_ANSWER[endpoint].body);
    },
    30_000,
  );

  describe('defects of issue 15, each on the endpoint where it was found', () => {
    const statusAndBody = (answer: Answer) => ({ status: answer.status, body: answer.body });

    it('D2: an SQS body past the limit (3 MiB, streamed) is answered 413 RequestEntityTooLarge, and the queue still answers', async () => {
      // Prepare
      const request = { ...validRequest('sqs', ports.sqs), body: undefined, streamBytes: 3 * MiB };

      // Act
      const answer = await exchange(ports.sqs, request);
      const after = await exchange(ports.sqs, validRequest('sqs', ports.sqs));

      // Assess
      expect(statusAndBody(answer)).toEqual({ status: 413, body: expect.stringContaining('RequestEntityTooLarge') });
      expect(after.status).toBe(200);
    });

    it('D6: a Host of another name (DNS rebinding) is answered 403 on S3 and SQS', async () => {
      // Prepare
      const rebound = (endpoint: 's3' | 'sqs') => {
        const request = validRequest(endpoint, ports[endpoint]);
        return { ...request, headers: { ...request.headers, host: `evil.example:${ports[endpoint]}` } };
      };

      // Act
      const s3 = await exchange(ports.s3, rebound('s3'));
      const sqs = await exchange(ports.sqs, rebound('sqs'));

      // Assess
      expect(statusAndBody(s3)).toEqual({ status: 403, body: expect.stringContaining('<Code>AccessDenied</Code>') });
      expect(statusAndBody(sqs)).toEqual({ status: 403, body: expect.stringContaining('AccessDenied') });
    });

    it('D6: an anonymous S3 PUT under the upload prefix is refused and stores nothing', async () => {
      // Prepare
      const request: RawRequest = {
        method: 'PUT',
        path: '/picflow-local/uploads/anonymous.png',
        headers: { host: `127.0.0.1:${ports.s3}` },
        body: 'not signed',
      };

      // Act
      const answer = await exchange(ports.s3, request);
      const head = await exchange(ports.s3, {
        method: 'HEAD',
        path: '/picflow-local/uploads/anonymous.png',
        headers: { host: `127.0.0.1:${ports.s3}`, ...signedHeaders('s3') },
      });

      // Assess
      expect(statusAndBody(answer)).toEqual({ status: 403, body: expect.stringContaining('<Code>AccessDenied</Code>') });
      expect(head.status).toBe(404);
    });

    it('D14: malformed JSON to SQS is answered 400, not 500', async () => {
      // Prepare
      const request = { ...validRequest('sqs', ports.sqs), body: '{"QueueNamePrefix": ' };

      // Act
      const answer = await exchange(ports.sqs, request);

      // Assess
      expect(statusAndBody(answer)).toEqual({ status: 400, body: expect.stringContaining('SerializationException') });
    });

    it('found here: a DynamoDB client leaving mid-body no longer ends the process (dynalite threw from its error listener)', async () => {
      // Prepare
      const request = {
        ...validRequest('dynamodb', ports.dynamodb),
        body: '{"Limit": 1, "padding": "......................................................................."}',
        truncateAt: 10,
      };

      // Act
      await exchange(ports.dynamodb, request);
      const after = await exchange(ports.dynamodb, validRequest('dynamodb', ports.dynamodb));

      // Assess
      expect(after.status).toBe(200);
    });
  });
});
