/**
 * Where `picflow faces` and `picflow people` send their requests: the face routes of the HTTP API
 * (api/faces/). Through the running `picflow dev`'s API when there is one; else the same handler in
 * this process, on a local stack started on the data directory for the command, or with --stack on
 * the deployed stack's table and face collection (AWS SDK, your credentials).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { ApiDeps } from '../api/shared/api-config';
import type { ApiResponse } from '../api/shared/http';
import { matchRoute, v2Event } from '../local/api/v2-event';
import { startLocalStack } from '../local/stack/local-stack';
import { createTaskClients } from '../tasks/shared/aws-clients';
import { loadConfig } from '../tasks/shared/config';
import { describeDeployedStorage, describeFaceCollection } from './aws-stack';
import { runningDevServer } from './dev-server-info';

export interface FacesRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** The route's path with its parameters filled in (encoded), e.g. `/people/person-1/merge`. */
  path: string;
  query?: Record<string, string | undefined>;
  /** A JSON body, or raw bytes with their content type. */
  json?: unknown;
  bytes?: { contentType: string; data: Buffer };
}

export interface FacesResponse {
  status: number;
  body: Record<string, unknown>;
}

export interface FacesApi {
  /** What is being talked to, for messages. */
  description: string;
  call(request: FacesRequest): Promise<FacesResponse>;
  close(): Promise<void>;
}

export async function openFacesApi(dataDir: string, options: { stack?: string; region?: string }): Promise<FacesApi> {
  if (options.stack) {
    const storage = await describeDeployedStorage(options.stack, options.region);
    const collectionId = await describeFaceCollection(options.stack, options.region);
    const config = loadConfig({
      ...process.env,
      TABLE_NAME: storage.tableName,
      BUCKET_NAME: storage.bucket,
      UPLOAD_PREFIX: storage.uploadPrefix,
      FACE_COLLECTION_ID: collectionId,
    });
    const clients = createTaskClients(config, options.region ? { region: options.region } : {});
    return inProcess(`stack ${options.stack}`, { config, clients, bucket: storage.bucket }, async () => clients.destroy());
  }
  const dev = runningDevServer(dataDir);
  if (dev?.endpoints.api) {
    const api = dev.endpoints.api;
    return { description: `picflow dev (pid ${dev.pid})`, call: (request) => overHttp(api, request), close: async () => {} };
  }
  // No dev server: the local stack on the data directory, for this command only (nothing pending is resumed).
  // Reading must not create a data directory where there was none (a typo in --data-dir).
  if (!existsSync(join(dataDir, 'dynamodb')))
    throw new Error(`no picflow data in ${dataDir}: run \`picflow analyze\` or \`picflow dev\` first, or pass --data-dir`);
  const stack = await startLocalStack({ dataDir, rekognitionWorkers: 1, recover: false });
  return inProcess(dataDir, { ...stack.tasks, bucket: stack.bucket }, () => stack.close());
}

function target(request: FacesRequest): string {
  const query = new URLSearchParams(
    Object.entries(request.query ?? {}).filter((entry): entry is [string, string] => entry[1] !== undefined),
  ).toString();
  return query ? `${request.path}?${query}` : request.path;
}

function bodyOf(request: FacesRequest): { headers: Record<string, string>; body: Buffer } {
  if (request.bytes) return { headers: { 'content-type': request.bytes.contentType }, body: request.bytes.data };
  if (request.json !== undefined)
    return { headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(request.json)) };
  return { headers: {}, body: Buffer.alloc(0) };
}

async function overHttp(api: string, request: FacesRequest): Promise<FacesResponse> {
  const { headers, body } = bodyOf(request);
  const response = await fetch(`${api}${target(request)}`, {
    method: request.method,
    headers,
    ...(body.length > 0 ? { body: new Uint8Array(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/**
 * The face routes' handler, required when first called: the handlers' logger reads its level when first
 * loaded, and every command loads this file (a static import made `picflow analyze` and `dev` print every INFO line).
 */
function faceRoutes(): (event: APIGatewayProxyEventV2, deps: ApiDeps) => Promise<ApiResponse> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('../api/faces/handler') as typeof import('../api/faces/handler')).run;
}

/** The handler called as API Gateway would call it: the same route match and payload 2.0 event as `picflow dev`. */
function inProcess(description: string, deps: ApiDeps, close: () => Promise<void>): FacesApi {
  return {
    description,
    close,
    call: async (request) => {
      const url = target(request);
      const route = matchRoute(request.method, request.path);
      if (!route) throw new Error(`no route ${request.method} ${request.path}`);
      const { headers, body } = bodyOf(request);
      const event: APIGatewayProxyEventV2 = v2Event({ method: request.method, url, headers, body, sourceIp: '127.0.0.1' }, route);
      const response = await faceRoutes()(event, deps);
      return { status: response.statusCode, body: response.body ? (JSON.parse(response.body) as Record<string, unknown>) : {} };
    },
  };
}
