/**
 * The people routes: a person is a Rekognition user (a vector over the faces associated with it) plus
 * an optional name in the images table (`#person/<userId>`, tasks/shared/faces.ts), which the faces
 * branch reads to tag later uploads.
 */
import {
  AssociateFacesCommand,
  CreateUserCommand,
  DeleteUserCommand,
  DisassociateFacesCommand,
  ListFacesCommand,
  ListUsersCommand,
  type Face,
  type RekognitionClient,
} from '@aws-sdk/client-rekognition';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { deletePersonName, personNames, putPersonName, resolveExternalImageId } from '../../tasks/shared/faces';
import { MAX_NAME_CHARS } from '../../tasks/detect-faces/budget';
import { mapConcurrently } from '../../dead-letters/map-concurrently';
import { ApiError, badRequest, notFound } from '../shared/http';
import { collectionOf, rekognitionCall } from './collection';
import { deleteMergeJournal, type MergeJournal, readMergeJournal, startMergeJournal } from './merge-journal';

/** AssociateFaces and DisassociateFaces take at most 100 FaceIds; a user holds at most 100 faces. */
const FACE_BATCH = 100;
const USER_ID = /^[a-zA-Z0-9_.\-:]{1,128}$/;
const FACE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface Deps {
  config: { tableName: string; faceCollectionId?: string };
  clients: { dynamo: DynamoDBDocumentClient; rekognition: RekognitionClient };
}

export interface Person {
  userId: string;
  name?: string;
}

/** One entry of GET /people: the person, how many faces are theirs, and one of them to show (absent when none is). */
export interface PersonSummary extends Person {
  faceCount: number;
  face?: PersonFace;
}

export interface PersonFace {
  imageId: string;
  key: string;
  faceId: string;
  box: { left: number; top: number; width: number; height: number };
}

/** At most this many ListFaces calls at once for one page of people (Rekognition's ListFaces quota is a few TPS). */
const LIST_FACES_CONCURRENCY = 4;

/**
 * GET /people: a page of ListUsers with each user's name, how many faces they have and one of them to show
 * (ListFaces by UserId, as GET /people/{userId}/images), so a client draws the whole page from one response.
 */
export async function listPeople(query: Record<string, string | undefined>, { config, clients }: Deps) {
  const collectionId = collectionOf(config);
  const limit = query.limit === undefined ? 100 : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500)
    throw badRequest('InvalidLimit', 'Set "limit" to a whole number from 1 to 500.');
  const output = await rekognitionCall(() =>
    clients.rekognition.send(new ListUsersCommand({ CollectionId: collectionId, MaxResults: limit, NextToken: query.nextToken })),
  ).catch((error: { name?: string }) => {
    if (error instanceof ApiError)
      throw badRequest('InvalidToken', 'The nextToken is not one GET /people returned; leave it out to start again.');
    throw error;
  });
  const ids = (output.Users ?? []).flatMap((u) => (u.UserId ? [u.UserId] : []));
  const names = await personNames(clients.dynamo, config.tableName, ids);
  const people = await mapConcurrently(ids, LIST_FACES_CONCURRENCY, async (userId): Promise<PersonSummary> => {
    const faces = (await userFaces(clients.rekognition, collectionId, userId)).filter((f) => f.FaceId);
    const face = await firstShownFace(clients.dynamo, config.tableName, faces);
    return { ...person(userId, names.get(userId)), faceCount: faces.length, ...(face ? { face } : {}) };
  });
  return output.NextToken ? { people, nextToken: output.NextToken } : { people };
}

/** The first of the faces whose image is still stored (a face's image is resolved with one read at most). */
async function firstShownFace(dynamo: DynamoDBDocumentClient, tableName: string, faces: Face[]): Promise<PersonFace | undefined> {
  for (const face of faces) {
    const shown = await personFace(dynamo, tableName, face);
    if (shown) return shown;
  }
  return undefined;
}

/** POST /people: a new user from faces the caller says are one person (so no similarity gate), named if asked. */
export async function createPerson(body: Record<string, unknown>, { config, clients }: Deps) {
  const collectionId = collectionOf(config);
  const faceIds = body.faceIds;
  if (
    !Array.isArray(faceIds) ||
    faceIds.length < 1 ||
    faceIds.length > FACE_BATCH ||
    !faceIds.every((id) => typeof id === 'string' && FACE_ID.test(id))
  ) {
    throw badRequest('InvalidFaceIds', `Set "faceIds" to 1 to ${FACE_BATCH} face ids (as GET /images/{imageId} lists them on each face).`);
  }
  const name = body.name === undefined ? undefined : nameOf(body.name);
  const userId = `person-${randomUUID()}`;
  await rekognitionCall(() => clients.rekognition.send(new CreateUserCommand({ CollectionId: collectionId, UserId: userId })));
  const output = await rekognitionCall(() =>
    clients.rekognition.send(
      new AssociateFacesCommand({
        CollectionId: collectionId,
        UserId: userId,
        FaceIds: [...new Set(faceIds as string[])],
        UserMatchThreshold: 0,
      }),
    ),
  );
  const associated = (output.AssociatedFaces ?? []).flatMap((f) => (f.FaceId ? [f.FaceId] : []));
  const unassociated = (output.UnsuccessfulFaceAssociations ?? []).map((f) => ({ faceId: f.FaceId ?? '', reasons: f.Reasons ?? [] }));
  if (associated.length === 0) {
    // Nobody to name: an empty user would only clutter the list.
    await rekognitionCall(() => clients.rekognition.send(new DeleteUserCommand({ CollectionId: collectionId, UserId: userId })));
    const why = unassociated.map((f) => `${f.faceId}: ${f.reasons.join(', ')}`).join('; ');
    throw badRequest(
      'NoFaceAssociated',
      `None of the faces could be given to a new person (${why}); use faces that are indexed and belong to nobody yet.`,
    );
  }
  if (name !== undefined) await putPersonName(clients.dynamo, config.tableName, { userId, name });
  return { ...person(userId, name), faceIds: associated, unassociated };
}

/** PATCH /people/{userId}: names or renames a person. */
export async function renamePerson(userId: string, body: Record<string, unknown>, { config, clients }: Deps): Promise<Person> {
  const collectionId = collectionOf(config);
  const name = nameOf(body.name);
  await requireUser(clients.rekognition, collectionId, userId);
  await putPersonName(clients.dynamo, config.tableName, { userId, name });
  return { userId, name };
}

/**
 * POST /people/{userId}/merge: `from`'s faces move to `userId`, then `from` is deleted (its name kept only if
 * `userId` has none). A face belongs to one user only, so each batch leaves `from` before it joins `into` and,
 * in between, belongs to nobody: the merge journal (merge-journal.ts), written before the first move and
 * deleted last, lets a repeat of a merge that failed part-way find those faces and finish it.
 */
export async function mergePeople(into: string, body: Record<string, unknown>, { config, clients }: Deps) {
  const collectionId = collectionOf(config);
  const from = body.from;
  if (typeof from !== 'string' || !USER_ID.test(from))
    throw badRequest('InvalidPerson', 'Set "from" to the userId of the person to merge into this one.');
  if (from === into) throw badRequest('InvalidPerson', 'A person cannot be merged into themselves; set "from" to another userId.');
  const { dynamo, rekognition } = clients;
  const table = config.tableName;
  // `into` itself being merged away would take the moved faces with it (DeleteUser unlinks them).
  const intoLeaving = await liveJournal(clients, collectionId, table, into);
  if (intoLeaving) throw mergeUnderWay(intoLeaving);
  let journal = await liveJournal(clients, collectionId, table, from);
  if (journal && journal.into !== into) throw mergeUnderWay(journal);
  await requireUser(rekognition, collectionId, into);
  if (!journal) {
    // A fresh merge: `from` must exist (after a finished merge it does not, and no journal is left: 404).
    await requireUser(rekognition, collectionId, from);
    const faceIds = faceIdsOf(await userFaces(rekognition, collectionId, from));
    const kept = faceIdsOf(await userFaces(rekognition, collectionId, into));
    if (kept.length + faceIds.length > FACE_BATCH) {
      // Checked before anything moves: AssociateFaces would refuse the batch only after it left `from`.
      throw badRequest(
        'TooManyFaces',
        `Together the two people have ${kept.length + faceIds.length} faces and a person holds at most ${FACE_BATCH}; ` +
          `remove faces from one of them first.`,
      );
    }
    const fromName = (await personNames(dynamo, table, [from])).get(from);
    const started: MergeJournal = { from, into, faceIds, ...(fromName === undefined ? {} : { fromName }) };
    if (await startMergeJournal(dynamo, table, started)) journal = started;
    else {
      // Another call began merging `from` between our read and write: finish it if it is the same merge.
      journal = await readMergeJournal(dynamo, table, from);
      if (!journal) throw new ApiError(409, 'MergeUnderWay', `"${from}" was being merged by another call; repeat this merge.`);
      if (journal.into !== into) throw mergeUnderWay(journal);
    }
  }
  await finishMerge(rekognition, collectionId, journal);
  const names = await personNames(dynamo, table, [into]);
  let name = names.get(into);
  if (name === undefined && journal.fromName !== undefined) {
    name = journal.fromName;
    await putPersonName(dynamo, table, { userId: into, name });
  }
  await deletePersonName(dynamo, table, from);
  await deleteMergeJournal(dynamo, table, from);
  const faceIds = faceIdsOf(await userFaces(rekognition, collectionId, into));
  return { ...person(into, name), faceIds };
}

/**
 * The Rekognition half of a merge, safe to repeat: every step is skipped or harmless when already done.
 * Faces that left `from` and never reached `into` are found through the journal, not through `from`.
 */
async function finishMerge(rekognition: RekognitionClient, collectionId: string, journal: MergeJournal): Promise<void> {
  const { from, into } = journal;
  const fromExists = await hasUser(rekognition, collectionId, from);
  // Faces `from` gained after the journal was written (a later upload tagged them) move too.
  const current = fromExists ? faceIdsOf(await userFaces(rekognition, collectionId, from)) : [];
  const moving = [...new Set([...journal.faceIds, ...current])];
  for (let start = 0; start < moving.length; start += FACE_BATCH) {
    const FaceIds = moving.slice(start, start + FACE_BATCH);
    // Faces already moved are reported back as unsuccessful (ASSOCIATED_TO_A_DIFFERENT_USER): nothing to undo.
    if (fromExists) {
      await rekognitionCall(() => rekognition.send(new DisassociateFacesCommand({ CollectionId: collectionId, UserId: from, FaceIds })));
    }
    // The caller says they are one person: no similarity gate. Faces already `into`'s come back as associated
    // (or, as Rekognition may answer, ASSOCIATED_TO_A_DIFFERENT_USER with UserId `into`); a face deleted with
    // its photo meanwhile is FACE_NOT_FOUND; either way there is nothing left to move.
    await rekognitionCall(() =>
      rekognition.send(new AssociateFacesCommand({ CollectionId: collectionId, UserId: into, FaceIds, UserMatchThreshold: 0 })),
    );
  }
  if (fromExists) {
    await rekognitionCall(() => rekognition.send(new DeleteUserCommand({ CollectionId: collectionId, UserId: from })), {
      userId: from,
    }).catch((error: unknown) => {
      // Deleted by a call racing this one: the goal is reached.
      if (!(error instanceof ApiError && error.statusCode === 404)) throw error;
    });
  }
}

/**
 * The unfinished merge of `from`, if it can still be finished: once its `into` was deleted (DELETE /people), the
 * faces it would have received belong to nobody either way, and a journal kept would block `from` for good.
 */
async function liveJournal(clients: Deps['clients'], collectionId: string, table: string, from: string) {
  const journal = await readMergeJournal(clients.dynamo, table, from);
  if (!journal || (await hasUser(clients.rekognition, collectionId, journal.into))) return journal;
  await deleteMergeJournal(clients.dynamo, table, from);
  return undefined;
}

function mergeUnderWay(journal: MergeJournal): ApiError {
  return new ApiError(
    409,
    'MergeUnderWay',
    `"${journal.from}" is being merged into "${journal.into}" and that merge did not finish; finish it first by repeating it ` +
      `(POST /people/${journal.into}/merge with {"from": "${journal.from}"}).`,
  );
}

/** GET /people/{userId}/images: the person's faces (ListFaces by UserId) and the images they are on. */
export async function personImages(userId: string, { config, clients }: Deps) {
  const collectionId = collectionOf(config);
  await requireUser(clients.rekognition, collectionId, userId);
  const faces = await userFaces(clients.rekognition, collectionId, userId);
  const images: PersonFace[] = [];
  for (const face of faces) {
    const shown = await personFace(clients.dynamo, config.tableName, face);
    if (shown) images.push(shown);
  }
  const names = await personNames(clients.dynamo, config.tableName, [userId]);
  return { ...person(userId, names.get(userId)), images };
}

/** DELETE /people/{userId}: the user goes (Rekognition disassociates its faces, which stay with their photos) and so does the name. */
export async function deletePerson(userId: string, { config, clients }: Deps): Promise<void> {
  const collectionId = collectionOf(config);
  if (!USER_ID.test(userId)) throw missing(userId);
  await rekognitionCall(() => clients.rekognition.send(new DeleteUserCommand({ CollectionId: collectionId, UserId: userId })), { userId });
  await deletePersonName(clients.dynamo, config.tableName, userId);
}

/** The `{userId}` path parameter, decoded. */
export function userIdParam(raw: string | undefined): string {
  let userId = raw ?? '';
  try {
    userId = decodeURIComponent(userId);
  } catch {
    // Left as sent: it fails the pattern below or is not found.
  }
  return userId;
}

/** A collection face as the API shows it: the stored image it is on and its box; undefined once that image is gone. */
async function personFace(dynamo: DynamoDBDocumentClient, tableName: string, face: Face): Promise<PersonFace | undefined> {
  if (!face.FaceId || !face.ExternalImageId) return undefined;
  const imageId = await resolveExternalImageId(dynamo, tableName, face.ExternalImageId);
  if (!imageId) return undefined;
  const box = face.BoundingBox ?? {};
  return {
    imageId,
    key: imageId.slice(imageId.indexOf('/') + 1),
    faceId: face.FaceId,
    box: { left: box.Left ?? 0, top: box.Top ?? 0, width: box.Width ?? 0, height: box.Height ?? 0 },
  };
}

function person(userId: string, name: string | undefined): Person {
  return name === undefined ? { userId } : { userId, name };
}

function nameOf(value: unknown): string {
  if (typeof value !== 'string' || value.trim().length === 0 || value.trim().length > MAX_NAME_CHARS) {
    throw badRequest('InvalidName', `Set "name" to the person's name, 1 to ${MAX_NAME_CHARS} characters.`);
  }
  return value.trim();
}

function missing(userId: string): ApiError {
  return notFound(`There is no person "${userId}"; GET /people lists them.`);
}

/** 404 unless the collection has this user. */
async function requireUser(rekognition: RekognitionClient, collectionId: string, userId: string): Promise<void> {
  if (!USER_ID.test(userId) || !(await hasUser(rekognition, collectionId, userId))) throw missing(userId);
}

/** Whether the collection has this user (ListUsers: Rekognition has no single-user read). */
async function hasUser(rekognition: RekognitionClient, collectionId: string, userId: string): Promise<boolean> {
  let NextToken: string | undefined;
  do {
    const output = await rekognitionCall(() =>
      rekognition.send(new ListUsersCommand({ CollectionId: collectionId, MaxResults: 500, NextToken })),
    );
    if ((output.Users ?? []).some((u) => u.UserId === userId)) return true;
    NextToken = output.NextToken;
  } while (NextToken);
  return false;
}

function faceIdsOf(faces: Face[]): string[] {
  return faces.flatMap((f) => (f.FaceId ? [f.FaceId] : []));
}

/** Every face associated with the user (at most 100 on Rekognition, so one or two pages). */
async function userFaces(rekognition: RekognitionClient, collectionId: string, userId: string): Promise<Face[]> {
  const faces: Face[] = [];
  let NextToken: string | undefined;
  do {
    const output = await rekognitionCall(() =>
      rekognition.send(new ListFacesCommand({ CollectionId: collectionId, UserId: userId, MaxResults: 4096, NextToken })),
    );
    faces.push(...(output.Faces ?? []));
    NextToken = output.NextToken;
  } while (NextToken);
  return faces;
}
