/**
 * POST /faces/search: every stored image with a face matching a photo's largest face (SearchFacesByImage)
 * or a stored face (SearchFaces), best match first, one entry per image, paginated.
 */
import { SearchFacesByImageCommand, SearchFacesCommand, type FaceMatch, type RekognitionClient } from '@aws-sdk/client-rekognition';
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { createHash } from 'node:crypto';
import { faceIdsOf, resolveExternalImageId } from '../../tasks/shared/faces';
import { imageKey } from '../../tasks/shared/image-table';
import type { ImageItem } from '../../tasks/shared/types';
import { ApiError, badRequest, bodyBytes, header, jsonBody, mediaType, notFound } from '../shared/http';
import { collectionOf, rekognitionCall } from './collection';

/** Rekognition searches take JPEG or PNG only, up to 5 MB as bytes. */
const SEARCH_TYPES = ['image/jpeg', 'image/png'];
export const MAX_SEARCH_BYTES = 5 * 1024 * 1024;
/** The most matches one search returns (SearchFaces' MaxFaces limit); pages are cut from them. */
const MAX_MATCHES = 4096;
const DEFAULT_LIMIT = 25;
const MAX_LIMIT = 100;

export interface FaceSearchMatch {
  imageId: string;
  key: string;
  faceId: string;
  similarity: number;
  box: { left: number; top: number; width: number; height: number };
}

export interface FaceSearchPage {
  matches: FaceSearchMatch[];
  nextToken?: string;
}

interface SearchRequest {
  /** The photo's bytes, or the stored face to search with. */
  what: { photo: Buffer } | { imageId: string; faceId: string };
  threshold: number;
  limit: number;
  nextToken?: string;
}

interface Deps {
  config: { tableName: string; faceCollectionId?: string; personMatchThreshold: number };
  clients: { dynamo: DynamoDBDocumentClient; rekognition: RekognitionClient };
}

export async function searchFaces(event: APIGatewayProxyEventV2, { config, clients }: Deps): Promise<FaceSearchPage> {
  const collectionId = collectionOf(config);
  const request = readRequest(event, config.personMatchThreshold);
  const offset = decodeToken(request);
  let matches: FaceMatch[];
  if ('photo' in request.what) {
    const { photo } = request.what;
    const output = await rekognitionCall(() =>
      clients.rekognition.send(
        new SearchFacesByImageCommand({
          CollectionId: collectionId,
          Image: { Bytes: photo },
          FaceMatchThreshold: request.threshold,
          MaxFaces: MAX_MATCHES,
        }),
      ),
    );
    matches = output.FaceMatches ?? [];
  } else {
    const { imageId, faceId } = request.what;
    const { Item } = await clients.dynamo.send(new GetCommand({ TableName: config.tableName, Key: imageKey(imageId) }));
    if (!Item || !faceIdsOf(Item as ImageItem).includes(faceId)) {
      throw notFound(`Image "${imageId}" has no indexed face "${faceId}"; GET /images/{imageId} lists its faces and their faceId.`);
    }
    const output = await rekognitionCall(() =>
      clients.rekognition.send(
        new SearchFacesCommand({
          CollectionId: collectionId,
          FaceId: faceId,
          FaceMatchThreshold: request.threshold,
          MaxFaces: MAX_MATCHES,
        }),
      ),
    );
    matches = output.FaceMatches ?? [];
  }
  const all = await bestPerImage(matches, clients.dynamo, config.tableName);
  const page = all.slice(offset, offset + request.limit);
  const next = offset + request.limit;
  return next < all.length ? { matches: page, nextToken: encodeToken(request, next) } : { matches: page };
}

/** One entry per image (its best-matching face), best first; faces whose image id cannot be resolved are left out. */
async function bestPerImage(matches: FaceMatch[], dynamo: DynamoDBDocumentClient, tableName: string): Promise<FaceSearchMatch[]> {
  const sorted = [...matches].sort((a, b) => (b.Similarity ?? 0) - (a.Similarity ?? 0));
  const byImage = new Map<string, FaceSearchMatch>();
  for (const match of sorted) {
    const face = match.Face;
    if (!face?.FaceId || !face.ExternalImageId) continue;
    const imageId = await resolveExternalImageId(dynamo, tableName, face.ExternalImageId);
    if (!imageId || byImage.has(imageId)) continue;
    const box = face.BoundingBox ?? {};
    byImage.set(imageId, {
      imageId,
      // Bucket names hold no "/": the key is everything after the first one.
      key: imageId.slice(imageId.indexOf('/') + 1),
      faceId: face.FaceId,
      similarity: Math.round((match.Similarity ?? 0) * 100) / 100,
      box: { left: box.Left ?? 0, top: box.Top ?? 0, width: box.Width ?? 0, height: box.Height ?? 0 },
    });
  }
  return [...byImage.values()];
}

function readRequest(event: APIGatewayProxyEventV2, defaultThreshold: number): SearchRequest {
  const query = event.queryStringParameters ?? {};
  const type = mediaType(header(event, 'content-type'));
  let body: Record<string, unknown> = {};
  let what: SearchRequest['what'];
  if (type === 'application/json') {
    body = jsonBody(event);
    if (typeof body.imageId === 'string' && typeof body.faceId === 'string') what = { imageId: body.imageId, faceId: body.faceId };
    else if (typeof body.data === 'string') what = { photo: photoOf(Buffer.from(body.data, 'base64'), body.contentType) };
    else {
      throw badRequest(
        'MissingFace',
        'Send a photo (its bytes with Content-Type image/jpeg or image/png, or {"contentType", "data": "<base64>"}), ' +
          'or {"imageId", "faceId"} of a stored face.',
      );
    }
  } else what = { photo: photoOf(bodyBytes(event), type) };
  const threshold = numberParam(query.threshold ?? body.threshold, 'threshold', 0, 100, defaultThreshold);
  const limit = numberParam(query.limit ?? body.limit, 'limit', 1, MAX_LIMIT, DEFAULT_LIMIT);
  if (!Number.isInteger(limit)) throw badRequest('InvalidLimit', `Set "limit" to a whole number from 1 to ${MAX_LIMIT}.`);
  const nextToken = query.nextToken ?? (typeof body.nextToken === 'string' ? body.nextToken : undefined);
  return { what, threshold, limit, ...(nextToken ? { nextToken } : {}) };
}

function photoOf(bytes: Buffer, contentType: unknown): Buffer {
  if (typeof contentType !== 'string' || !SEARCH_TYPES.includes(contentType.toLowerCase())) {
    throw new ApiError(415, 'UnsupportedContentType', 'Send the photo as image/jpeg or image/png (Rekognition searches only those).');
  }
  if (bytes.length === 0) throw badRequest('EmptyBody', 'The request has no photo; send its bytes as the body.');
  if (bytes.length > MAX_SEARCH_BYTES) {
    throw new ApiError(
      413,
      'TooLarge',
      `The photo is ${bytes.length} bytes; search with at most ${MAX_SEARCH_BYTES} bytes (scale it down).`,
    );
  }
  return bytes;
}

function numberParam(raw: unknown, name: string, min: number, max: number, fallback: number): number {
  if (raw === undefined || raw === null || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw badRequest(
      name === 'limit' ? 'InvalidLimit' : 'InvalidThreshold',
      `Set "${name}" to a number from ${min} to ${max} (got "${String(raw)}").`,
    );
  }
  return value;
}

/** The token binds the offset to the search it came from: the same photo or face and threshold. */
function fingerprint(request: SearchRequest): string {
  const what = 'photo' in request.what ? createHash('sha256').update(request.what.photo).digest('hex') : request.what;
  return createHash('sha256')
    .update(JSON.stringify([what, request.threshold]))
    .digest('base64url')
    .slice(0, 16);
}

function encodeToken(request: SearchRequest, offset: number): string {
  return Buffer.from(JSON.stringify({ v: 1, q: fingerprint(request), o: offset })).toString('base64url');
}

function decodeToken(request: SearchRequest): number {
  if (request.nextToken === undefined) return 0;
  let token: { v?: unknown; q?: unknown; o?: unknown } | undefined;
  try {
    token = JSON.parse(Buffer.from(request.nextToken, 'base64url').toString('utf8'));
  } catch {
    token = undefined;
  }
  if (token?.v !== 1 || token.q !== fingerprint(request) || !Number.isInteger(token.o) || (token.o as number) < 0) {
    throw badRequest(
      'InvalidToken',
      'The nextToken is not one this search returned; repeat the same search (same photo or face, same threshold) with it.',
    );
  }
  return token.o as number;
}
