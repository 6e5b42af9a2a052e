/**
 * The HTTP side of the local Rekognition endpoint: AWS JSON 1.1 protocol, as the SDK and the AWS CLI speak it.
 *   POST /   X-Amz-Target: RekognitionService.<Operation>   Content-Type: application/x-amz-json-1.1
 * Requests must name a loopback Host, come from no browser page, and carry a well-formed SigV4
 * signature (any key, not verified: local/http/request-signature.ts says why). Errors are sent as
 *   HTTP 400/500, x-amzn-ErrorType: <Name>, body {"__type": "<Name>", "message": "..."}.
 */
import { randomUUID } from 'node:crypto';
import type * as http from 'node:http';
import { BodyTooLargeError, finishUnread, gateRefusal, readLimitedBody, type GateRefusal } from '../http/endpoint-gate';
import { RekognitionError, toRekognitionError } from './errors';
import { respondFromAnalyses } from './analysis-responses';
import type { FaultInjector } from './faults';
import type { ImageAnalyses } from './image-analyses';
import { decodeForOperation, resolveImageBytes, type ReadS3Object } from './image-source';
import type { CollectionOperations } from './collections/collection-operations';
import type { DetectFacesParams, FacesWithEmbeddings } from './operations/detect-faces';
import { isCollectionOperationName, isOperationName, type OperationName } from './operation-names';
import type { TpsQuota } from './tps-quota';
import { parseDetectFacesParams } from './operations/detect-faces';
import { parseDetectLabelsParams } from './operations/detect-labels';
import { parseDetectModerationLabelsParams } from './operations/detect-moderation-labels';
import { parseDetectTextParams } from './operations/detect-text';
import type { WorkerPool } from './worker-pool';

const TARGET_PREFIX = 'RekognitionService.';

/** A 5 MB image is ~7 MB of base64; anything past this is refused without reading it all. */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

export interface RequestLogEntry {
  op: string;
  status: number;
  ms: number;
  error?: string;
}

export interface RekognitionHandlerDeps {
  pool: WorkerPool;
  faults: FaultInjector;
  /** The account's per-operation TPS quota, when one is set. */
  quota?: TpsQuota;
  readS3Object?: ReadS3Object;
  /** The face-collection operations (CreateCollection, IndexFaces, SearchUsers, ...). */
  collections?: CollectionOperations;
  /** Shared per-image decode and analyses (analyzer v2); without it each call decodes and analyses alone (v1). */
  analyses?: ImageAnalyses;
  onRequest?: (entry: RequestLogEntry) => void;
}

const PARSERS: Record<OperationName, (body: Record<string, unknown>) => unknown> = {
  DetectFaces: parseDetectFacesParams,
  DetectLabels: parseDetectLabelsParams,
  DetectText: parseDetectTextParams,
  DetectModerationLabels: parseDetectModerationLabelsParams,
};

function send(res: http.ServerResponse, status: number, body: unknown, extraHeaders: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/x-amz-json-1.1',
    'Content-Length': Buffer.byteLength(text),
    'x-amzn-RequestId': randomUUID(),
    ...extraHeaders,
  });
  res.end(text);
}

function sendError(res: http.ServerResponse, err: RekognitionError): void {
  send(res, err.statusCode, err.toBody(), { 'x-amzn-ErrorType': err.name });
}

/** The request body (it carries the image): too large is the ImageTooLargeException Rekognition answers. */
async function readImageRequest(req: http.IncomingMessage): Promise<Buffer> {
  try {
    return await readLimitedBody(req, MAX_BODY_BYTES);
  } catch (error) {
    if (error instanceof BodyTooLargeError)
      throw new RekognitionError('ImageTooLargeException', `Request body is larger than ${MAX_BODY_BYTES} bytes.`);
    throw new RekognitionError('InvalidParameterException', `Request body is incomplete: ${(error as Error).message}`);
  }
}

function refusalError(refusal: GateRefusal): RekognitionError {
  switch (refusal.kind) {
    case 'guard':
      return new RekognitionError('AccessDeniedException', refusal.message);
    case 'missing':
      return new RekognitionError('MissingAuthenticationTokenException', refusal.message);
    case 'malformed':
      return new RekognitionError('IncompleteSignatureException', refusal.message);
    default:
      return new RekognitionError('InvalidSignatureException', `Signature expired: ${refusal.message}`);
  }
}

async function handle(deps: RekognitionHandlerDeps, req: http.IncomingMessage): Promise<{ op: string; body: unknown }> {
  // The connection's local port is the endpoint's: the only one a Host header may name.
  const refusal = gateRefusal(req, req.socket.localPort ?? 0);
  if (refusal) throw refusalError(refusal);
  const target = String(req.headers['x-amz-target'] ?? '');
  const op = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
  if (req.method !== 'POST' || !(isOperationName(op) || (deps.collections && isCollectionOperationName(op)))) {
    throw new RekognitionError('UnknownOperationException', `Unsupported operation: ${req.method} ${target || '(no X-Amz-Target)'}`);
  }
  const raw = await readImageRequest(req);
  let body: unknown;
  try {
    body = raw.length === 0 ? {} : JSON.parse(raw.toString('utf8'));
  } catch {
    throw new RekognitionError('InvalidParameterException', 'Request body is not valid JSON.');
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new RekognitionError('InvalidParameterException', 'Request body must be a JSON object.');
  }
  if (isCollectionOperationName(op)) {
    // IndexFaces is the faces branch's call when face indexing is on: faults and quotas reach it as DetectFaces'.
    deps.faults.check(op);
    deps.quota?.check(op);
    return { op, body: await deps.collections!.run(op, body as Record<string, unknown>) };
  }
  const params = PARSERS[op](body as Record<string, unknown>);
  deps.faults.check(op);
  deps.quota?.check(op);
  // Fail fast before reading and decoding the image when nothing could take the job anyway.
  if (!deps.pool.hasCapacity()) throw new RekognitionError('ThrottlingException', 'Rate exceeded: the local analyzer queue is full.');
  const bytes = await resolveImageBytes((body as Record<string, unknown>).Image, deps.readS3Object);
  if (deps.analyses) return { op, body: await respondFromAnalyses(deps.analyses, op, bytes, params) };
  const image = await decodeForOperation(op, bytes);
  return { op, body: await deps.pool.run(op, image, params) };
}

/** DetectFaces with descriptors on an Image field, for the collection operations (same queue, same decoding). */
export function facesAnalyzer(deps: Pick<RekognitionHandlerDeps, 'pool' | 'readS3Object'>) {
  return async (image: unknown, params: DetectFacesParams): Promise<FacesWithEmbeddings> => {
    if (!deps.pool.hasCapacity()) throw new RekognitionError('ThrottlingException', 'Rate exceeded: the local analyzer queue is full.');
    const bytes = await resolveImageBytes(image, deps.readS3Object);
    const decoded = await decodeForOperation('DetectFaces', bytes);
    return (await deps.pool.run('DetectFaces', decoded, params)) as FacesWithEmbeddings;
  };
}

/** The request listener of the endpoint. */
export function createRekognitionHandler(deps: RekognitionHandlerDeps): http.RequestListener {
  return (req, res) => {
    const started = performance.now();
    const target = String(req.headers['x-amz-target'] ?? '');
    handle(deps, req).then(
      ({ body }) => {
        send(res, 200, body);
        deps.onRequest?.({ op: target, status: 200, ms: performance.now() - started });
      },
      (err: unknown) => {
        const e = toRekognitionError(err);
        // Unread request bodies (refused early) are drained, so the client sees our answer, not a reset.
        finishUnread(req, res);
        sendError(res, e);
        deps.onRequest?.({ op: target, status: e.statusCode, ms: performance.now() - started, error: e.name });
      },
    );
  };
}
