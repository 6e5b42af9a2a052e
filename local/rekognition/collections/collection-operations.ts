/**
 * Rekognition's face-collection and user operations (request → CollectionStore → response), with the
 * service's parameter limits and error names. Faces in images come from `analyzeFaces` (the worker's
 * DetectFaces with descriptors); everything else runs here, in the main thread.
 */
import { randomUUID } from 'node:crypto';
import type { FaceDetail } from '@aws-sdk/client-rekognition';
import { RekognitionError } from '../errors';
import type { CollectionOperationName } from '../operation-names';
import { parseDetectionAttributes, type DetectFacesParams, type FacesWithEmbeddings } from '../operations/detect-faces';
import { invalid, optionalInteger, optionalNumber } from '../operations/request-params';
import type { CollectionStore, StoredCollection, StoredFace } from './collection-store';
import { centroid, similarity } from './similarity';

export const FACE_MODEL_VERSION = '7.0';
const REGION = 'us-east-1';
const ACCOUNT = '000000000000';

/** Runs DetectFaces (with descriptors) on a request's Image field. */
export type AnalyzeFaces = (image: unknown, params: DetectFacesParams) => Promise<FacesWithEmbeddings>;

type Body = Record<string, unknown>;

function validation(value: unknown, key: string, constraint: string): RekognitionError {
  return invalid(`1 validation error detected: Value '${String(value)}' at '${key}' failed to satisfy constraint: ${constraint}`);
}

function patterned(body: Body, key: string, pattern: RegExp, max: number, required: boolean): string | undefined {
  const v = body[key];
  if (v === undefined || v === null) {
    if (required) throw validation(v, key, 'Member must not be null');
    return undefined;
  }
  if (typeof v !== 'string' || v.length < 1 || v.length > max) throw validation(v, key, `Member must have length between 1 and ${max}`);
  if (!pattern.test(v)) throw validation(v, key, `Member must satisfy regular expression pattern: ${pattern.source}`);
  return v;
}

const collectionIdOf = (b: Body) => patterned(b, 'CollectionId', /^[a-zA-Z0-9_.-]+$/, 255, true)!;
const userIdOf = (b: Body, required = true) => patterned(b, 'UserId', /^[a-zA-Z0-9_.\-:]+$/, 128, required);
const FACE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function faceIdsOf(b: Body, max: number): string[] {
  const v = b.FaceIds;
  if (!Array.isArray(v) || v.length < 1 || v.length > max) throw validation(v, 'faceIds', `Member must have length between 1 and ${max}`);
  for (const id of v)
    if (typeof id !== 'string' || !FACE_ID.test(id))
      throw validation(id, 'faceIds', `Member must satisfy regular expression pattern: ${FACE_ID.source}`);
  return [...new Set(v as string[])];
}

const QUALITY_FILTERS = ['NONE', 'AUTO', 'LOW', 'MEDIUM', 'HIGH'] as const;
function qualityFilterOf(b: Body, fallback: (typeof QUALITY_FILTERS)[number]): (typeof QUALITY_FILTERS)[number] {
  const v = b.QualityFilter ?? fallback;
  if (!(QUALITY_FILTERS as readonly unknown[]).includes(v))
    throw validation(v, 'qualityFilter', `Member must satisfy enum value set: [${QUALITY_FILTERS.join(', ')}]`);
  return v as (typeof QUALITY_FILTERS)[number];
}

/** Reasons a face is filtered: the detector's confidence and the face box's size and sharpness, stricter per level. */
function qualityReasons(detail: FaceDetail, filter: (typeof QUALITY_FILTERS)[number]): string[] {
  if (filter === 'NONE') return [];
  const level = { AUTO: 1, LOW: 0, MEDIUM: 1, HIGH: 2 }[filter];
  const reasons: string[] = [];
  if ((detail.Confidence ?? 0) < [50, 60, 75][level]!) reasons.push('LOW_CONFIDENCE');
  const box = detail.BoundingBox;
  if (box && Math.min(box.Width ?? 0, box.Height ?? 0) < [0.01, 0.02, 0.04][level]!) reasons.push('SMALL_BOUNDING_BOX');
  if ((detail.Quality?.Sharpness ?? 100) < [1, 3, 10][level]!) reasons.push('LOW_SHARPNESS');
  return reasons;
}

/** Pagination: the token is the last key returned, opaque to clients. */
function page<T>(items: T[], keyOf: (t: T) => string, b: Body, maxKey: number, fallback: number): { items: T[]; NextToken?: string } {
  const max = optionalInteger(b, 'MaxResults', 0, maxKey, fallback);
  let start = 0;
  if (b.NextToken !== undefined && b.NextToken !== null) {
    if (typeof b.NextToken !== 'string') throw invalid('Invalid pagination token');
    const after = Buffer.from(b.NextToken, 'base64url').toString('utf8');
    start = items.findIndex((t) => keyOf(t) > after);
    if (start < 0) start = items.length;
  }
  const slice = items.slice(start, start + max);
  const more = start + max < items.length && slice.length > 0;
  return { items: slice, NextToken: more ? Buffer.from(keyOf(slice[slice.length - 1]!)).toString('base64url') : undefined };
}

function faceShape(f: StoredFace) {
  return {
    FaceId: f.FaceId,
    BoundingBox: f.BoundingBox,
    ImageId: f.ImageId,
    ...(f.ExternalImageId !== undefined ? { ExternalImageId: f.ExternalImageId } : {}),
    Confidence: f.Confidence,
    IndexFacesModelVersion: FACE_MODEL_VERSION,
    ...(f.UserId !== undefined ? { UserId: f.UserId } : {}),
  };
}

const MAX_FACES_PER_USER = 100;

export class CollectionOperations {
  constructor(
    private readonly store: CollectionStore,
    private readonly analyzeFaces: AnalyzeFaces,
  ) {}

  private collection(b: Body): StoredCollection {
    const id = collectionIdOf(b);
    const c = this.store.collections.get(id);
    if (!c) throw new RekognitionError('ResourceNotFoundException', `The collection id: ${id} does not exist`);
    return c;
  }

  private user(c: StoredCollection, b: Body): string {
    const userId = userIdOf(b)!;
    if (!c.users.has(userId)) throw new RekognitionError('ResourceNotFoundException', `The user id: ${userId} does not exist`);
    return userId;
  }

  /** Matches of one descriptor against the collection's faces, best first. */
  private matchFaces(c: StoredCollection, embedding: Float32Array, b: Body, exclude?: string) {
    const threshold = optionalNumber(b, 'FaceMatchThreshold', 0, 100, 80);
    const max = optionalInteger(b, 'MaxFaces', 1, 4096, 80);
    const matches: { Similarity: number; Face: ReturnType<typeof faceShape> }[] = [];
    for (const f of c.faces.values()) {
      if (f.FaceId === exclude) continue;
      const s = similarity(embedding, f.embedding);
      if (s >= threshold) matches.push({ Similarity: s, Face: faceShape(f) });
    }
    return matches.sort((x, y) => y.Similarity - x.Similarity).slice(0, max);
  }

  private userVectors(c: StoredCollection): Map<string, Float32Array> {
    const byUser = new Map<string, Float32Array[]>();
    for (const f of c.faces.values()) if (f.UserId) byUser.set(f.UserId, [...(byUser.get(f.UserId) ?? []), f.embedding]);
    const out = new Map<string, Float32Array>();
    for (const [u, vs] of byUser) out.set(u, centroid(vs)!);
    return out;
  }

  private matchUsers(c: StoredCollection, embedding: Float32Array, b: Body, exclude?: string) {
    const threshold = optionalNumber(b, 'UserMatchThreshold', 0, 100, 80);
    const max = optionalInteger(b, 'MaxUsers', 1, 500, 500);
    const matches: { Similarity: number; User: { UserId: string; UserStatus: string } }[] = [];
    for (const [userId, v] of this.userVectors(c)) {
      if (userId === exclude) continue;
      const s = similarity(embedding, v);
      if (s >= threshold) matches.push({ Similarity: s, User: { UserId: userId, UserStatus: 'ACTIVE' } });
    }
    return matches.sort((x, y) => y.Similarity - x.Similarity).slice(0, max);
  }

  /** The largest face of the request's image (Rekognition searches with it), or InvalidParameterException. */
  private async largestFace(b: Body, attributes: unknown) {
    const found = await this.analyzeFaces(b.Image, parseDetectionAttributes(attributes));
    const detail = found.FaceDetails?.[0];
    const embedding = found.Embeddings[0];
    if (!detail || !embedding) throw invalid('There are no faces in the image. Should be at least 1.');
    return { detail, embedding: Float32Array.from(embedding), rest: found.FaceDetails!.slice(1) };
  }

  async run(op: CollectionOperationName, b: Body): Promise<unknown> {
    switch (op) {
      case 'CreateCollection': {
        const id = collectionIdOf(b);
        if (this.store.collections.has(id))
          throw new RekognitionError('ResourceAlreadyExistsException', `The collection id: ${id} already exists`);
        await this.store.createCollection(id, Date.now());
        return {
          StatusCode: 200,
          CollectionArn: `aws:rekognition:${REGION}:${ACCOUNT}:collection/${id}`,
          FaceModelVersion: FACE_MODEL_VERSION,
        };
      }
      case 'DeleteCollection':
        await this.store.deleteCollection(this.collection(b));
        return { StatusCode: 200 };
      case 'DescribeCollection': {
        const c = this.collection(b);
        return {
          FaceCount: c.faces.size,
          UserCount: c.users.size,
          FaceModelVersion: FACE_MODEL_VERSION,
          CollectionARN: `arn:aws:rekognition:${REGION}:${ACCOUNT}:collection/${c.id}`,
          CreationTimestamp: c.createdAt / 1000,
        };
      }
      case 'ListCollections': {
        const ids = [...this.store.collections.keys()].sort();
        const { items, NextToken } = page(ids, (id) => id, b, 4096, 1000);
        return { CollectionIds: items, FaceModelVersions: items.map(() => FACE_MODEL_VERSION), ...(NextToken ? { NextToken } : {}) };
      }
      case 'IndexFaces': {
        const c = this.collection(b);
        const external = patterned(b, 'ExternalImageId', /^[a-zA-Z0-9_.\-:]+$/, 255, false);
        const maxFaces = optionalInteger(b, 'MaxFaces', 1, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
        const filter = qualityFilterOf(b, 'AUTO');
        const found = await this.analyzeFaces(b.Image, parseDetectionAttributes(b.DetectionAttributes));
        const imageId = randomUUID();
        const records: { Face: ReturnType<typeof faceShape>; FaceDetail: FaceDetail }[] = [];
        const unindexed: { Reasons: string[]; FaceDetail: FaceDetail }[] = [];
        const stored: StoredFace[] = [];
        // FaceDetails come largest first: MaxFaces keeps the largest, as Rekognition does.
        (found.FaceDetails ?? []).forEach((detail, i) => {
          const embedding = found.Embeddings[i];
          const reasons = qualityReasons(detail, filter);
          if (!embedding) reasons.push('LOW_FACE_QUALITY');
          if (reasons.length === 0 && stored.length >= maxFaces) reasons.push('EXCEEDS_MAX_FACES');
          if (reasons.length > 0) {
            unindexed.push({ Reasons: reasons, FaceDetail: detail });
            return;
          }
          const face: StoredFace = {
            FaceId: randomUUID(),
            ImageId: imageId,
            ExternalImageId: external,
            BoundingBox: detail.BoundingBox as StoredFace['BoundingBox'],
            Confidence: detail.Confidence ?? 0,
            embedding: Float32Array.from(embedding!),
          };
          stored.push(face);
          records.push({ Face: faceShape(face), FaceDetail: detail });
        });
        await this.store.putFaces(c, stored);
        return { FaceRecords: records, FaceModelVersion: FACE_MODEL_VERSION, UnindexedFaces: unindexed };
      }
      case 'ListFaces': {
        const c = this.collection(b);
        const userId = userIdOf(b, false);
        const only = b.FaceIds === undefined ? undefined : new Set(faceIdsOf(b, 4096));
        const faces = [...c.faces.values()]
          .filter((f) => (userId === undefined || f.UserId === userId) && (!only || only.has(f.FaceId)))
          .sort((x, y) => (x.FaceId < y.FaceId ? -1 : 1));
        const { items, NextToken } = page(faces, (f) => f.FaceId, b, 4096, 1000);
        return { Faces: items.map(faceShape), FaceModelVersion: FACE_MODEL_VERSION, ...(NextToken ? { NextToken } : {}) };
      }
      case 'DeleteFaces': {
        const c = this.collection(b);
        const ids = faceIdsOf(b, 4096);
        const deleted: string[] = [];
        const failed: { FaceId: string; UserId?: string; Reasons: string[] }[] = [];
        for (const id of ids) {
          const f = c.faces.get(id);
          // Rekognition refuses to delete a face that belongs to a user: disassociate it first.
          if (f?.UserId) failed.push({ FaceId: id, UserId: f.UserId, Reasons: ['ASSOCIATED_TO_AN_EXISTING_USER'] });
          else if (f) deleted.push(id);
        }
        await this.store.deleteFaces(c, deleted);
        return { DeletedFaces: deleted, UnsuccessfulFaceDeletions: failed };
      }
      case 'SearchFaces': {
        const c = this.collection(b);
        const [faceId] = faceIdsOf({ FaceIds: [b.FaceId] }, 1);
        const face = c.faces.get(faceId!);
        if (!face) throw invalid(`Face ${faceId} does not exist in collection ${c.id}`);
        return { SearchedFaceId: faceId, FaceMatches: this.matchFaces(c, face.embedding, b, faceId), FaceModelVersion: FACE_MODEL_VERSION };
      }
      case 'SearchFacesByImage': {
        const c = this.collection(b);
        qualityFilterOf(b, 'NONE');
        optionalNumber(b, 'FaceMatchThreshold', 0, 100, 80);
        const { detail, embedding } = await this.largestFace(b, undefined);
        return {
          SearchedFaceBoundingBox: detail.BoundingBox,
          SearchedFaceConfidence: detail.Confidence,
          FaceMatches: this.matchFaces(c, embedding, b),
          FaceModelVersion: FACE_MODEL_VERSION,
        };
      }
      case 'CreateUser': {
        const c = this.collection(b);
        const userId = userIdOf(b)!;
        if (c.users.has(userId))
          throw new RekognitionError('ConflictException', `A user with the id ${userId} already exists in the collection`);
        await this.store.putUser(c, userId, Date.now());
        return {};
      }
      case 'DeleteUser': {
        const c = this.collection(b);
        await this.store.deleteUser(c, this.user(c, b));
        return {};
      }
      case 'ListUsers': {
        const c = this.collection(b);
        const { items, NextToken } = page([...c.users.keys()].sort(), (u) => u, b, 500, 500);
        return { Users: items.map((UserId) => ({ UserId, UserStatus: 'ACTIVE' })), ...(NextToken ? { NextToken } : {}) };
      }
      case 'AssociateFaces': {
        const c = this.collection(b);
        const userId = this.user(c, b);
        const ids = faceIdsOf(b, 100);
        const threshold = optionalNumber(b, 'UserMatchThreshold', 0, 100, 75);
        const own = [...c.faces.values()].filter((f) => f.UserId === userId);
        const vector = centroid(own.map((f) => f.embedding));
        const associated: StoredFace[] = [];
        const failed: { FaceId: string; UserId?: string; Confidence?: number; Reasons: string[] }[] = [];
        for (const id of ids) {
          const f = c.faces.get(id);
          if (!f) failed.push({ FaceId: id, Reasons: ['FACE_NOT_FOUND'] });
          else if (f.UserId && f.UserId !== userId)
            failed.push({ FaceId: id, UserId: f.UserId, Reasons: ['ASSOCIATED_TO_A_DIFFERENT_USER'] });
          else if (f.UserId === userId) associated.push(f);
          else {
            // A user that already has faces only takes faces that look like them.
            const s = vector ? similarity(vector, f.embedding) : 100;
            if (s < threshold) failed.push({ FaceId: id, UserId: userId, Confidence: s, Reasons: ['LOW_MATCH_CONFIDENCE'] });
            else associated.push({ ...f, UserId: userId });
          }
        }
        if (own.length + associated.filter((f) => !own.includes(f)).length > MAX_FACES_PER_USER) {
          throw new RekognitionError('ServiceQuotaExceededException', `A user can have at most ${MAX_FACES_PER_USER} faces`);
        }
        await this.store.putFaces(c, associated);
        return {
          AssociatedFaces: associated.map((f) => ({ FaceId: f.FaceId })),
          UnsuccessfulFaceAssociations: failed,
          UserStatus: 'ACTIVE',
        };
      }
      case 'DisassociateFaces': {
        const c = this.collection(b);
        const userId = this.user(c, b);
        const done: StoredFace[] = [];
        const failed: { FaceId: string; UserId?: string; Reasons: string[] }[] = [];
        for (const id of faceIdsOf(b, 100)) {
          const f = c.faces.get(id);
          if (!f) failed.push({ FaceId: id, Reasons: ['FACE_NOT_FOUND'] });
          else if (f.UserId !== userId) failed.push({ FaceId: id, UserId: f.UserId, Reasons: ['ASSOCIATED_TO_A_DIFFERENT_USER'] });
          else done.push({ ...f, UserId: undefined });
        }
        await this.store.putFaces(c, done);
        return {
          DisassociatedFaces: done.map((f) => ({ FaceId: f.FaceId })),
          UnsuccessfulFaceDisassociations: failed,
          UserStatus: 'ACTIVE',
        };
      }
      case 'SearchUsers': {
        const c = this.collection(b);
        const hasUser = b.UserId !== undefined && b.UserId !== null;
        const hasFace = b.FaceId !== undefined && b.FaceId !== null;
        if (hasUser === hasFace) throw invalid('Exactly one of UserId and FaceId must be given');
        if (hasUser) {
          const userId = this.user(c, b);
          const vector = this.userVectors(c).get(userId);
          const UserMatches = vector ? this.matchUsers(c, vector, b, userId) : [];
          return { UserMatches, FaceModelVersion: FACE_MODEL_VERSION, SearchedUser: { UserId: userId } };
        }
        const [faceId] = faceIdsOf({ FaceIds: [b.FaceId] }, 1);
        const face = c.faces.get(faceId!);
        if (!face) throw invalid(`Face ${faceId} does not exist in collection ${c.id}`);
        return {
          UserMatches: this.matchUsers(c, face.embedding, b),
          FaceModelVersion: FACE_MODEL_VERSION,
          SearchedFace: { FaceId: faceId },
        };
      }
      case 'SearchUsersByImage': {
        const c = this.collection(b);
        qualityFilterOf(b, 'NONE');
        optionalNumber(b, 'UserMatchThreshold', 0, 100, 80);
        const { detail, embedding, rest } = await this.largestFace(b, undefined);
        return {
          UserMatches: this.matchUsers(c, embedding, b),
          FaceModelVersion: FACE_MODEL_VERSION,
          SearchedFace: { FaceDetail: detail },
          UnsearchedFaces: rest.map((FaceDetails) => ({ FaceDetails, Reasons: ['FACE_NOT_LARGEST'] })),
        };
      }
    }
  }
}
