/**
 * The face collection's bookkeeping, shared by the pipeline and the HTTP API: image ids as
 * ExternalImageIds (reversibly), the item's `faceIndex` (every FaceId of the image that may be in the
 * collection), deleting faces, and the people names store (`#person/<userId>` entries in the images table).
 */
import { DeleteFacesCommand, DisassociateFacesCommand, type RekognitionClient } from '@aws-sdk/client-rekognition';
import { BatchGetCommand, DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createHash } from 'node:crypto';
import { callAws } from './errors';
import { updateWhileVersion } from './version-guarded-update';
import { imageKey } from './image-table';
import type { ImageItem } from './types';

/** Rekognition's ExternalImageId: `[a-zA-Z0-9_.\-:]+`, at most 255 characters. */
export const EXTERNAL_IMAGE_ID_PATTERN = /^[a-zA-Z0-9_.\-:]+$/;
export const MAX_EXTERNAL_IMAGE_ID = 255;
/** The prefix of a hashed ExternalImageId; an escaped one never holds a `:` (it is escaped as `_3A`). */
const HASHED = 'sha256:';

/**
 * An image id as an ExternalImageId. Escaped when it fits: letters, digits, `.` and `-` stay, every
 * other UTF-8 byte becomes `_XX` (hex), so `photos/cat 1.jpg` reads `photos_2Fcat_201.jpg` and decodes
 * without a lookup. Longer ids (a long or non-Latin key triples in length) become `sha256:<hex>`: the
 * faces task stores `#external/<id>` -> imageId for those, which resolveExternalImageId reads.
 */
export function externalImageId(imageId: string): string {
  let escaped = '';
  for (const byte of Buffer.from(imageId, 'utf8')) {
    const char = String.fromCharCode(byte);
    escaped += /[A-Za-z0-9.-]/.test(char) ? char : `_${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  if (escaped.length > 0 && escaped.length <= MAX_EXTERNAL_IMAGE_ID) return escaped;
  return `${HASHED}${createHash('sha256').update(imageId, 'utf8').digest('hex')}`;
}

/** True when the ExternalImageId is a hash, so only its `#external/` entry knows the image id. */
export function isHashedExternalImageId(id: string): boolean {
  return id.startsWith(HASHED);
}

/** The image id of an escaped ExternalImageId; undefined for a hashed (or foreign) one. */
export function decodeExternalImageId(id: string): string | undefined {
  if (isHashedExternalImageId(id) || !/^(?:[A-Za-z0-9.-]|_[0-9A-F]{2})+$/.test(id)) return undefined;
  const bytes: number[] = [];
  for (let i = 0; i < id.length; i++) {
    if (id[i] === '_') {
      bytes.push(Number.parseInt(id.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(id.charCodeAt(i));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Reserved table entries (`#` never starts an imageId: bucket names start with a letter or digit). */
export const EXTERNAL_ENTRY_PREFIX = '#external/';
export const PERSON_ENTRY_PREFIX = '#person/';

/** Stores the hashed id's way back to the image (idempotent: the same key and value every time). */
export async function rememberExternalImageId(dynamo: DynamoDBDocumentClient, tableName: string, imageId: string): Promise<string> {
  const id = externalImageId(imageId);
  if (isHashedExternalImageId(id)) {
    await callAws('DynamoDB', () =>
      dynamo.send(new PutCommand({ TableName: tableName, Item: { imageId: `${EXTERNAL_ENTRY_PREFIX}${id}`, imageOf: imageId } })),
    );
  }
  return id;
}

/** The image id behind an ExternalImageId a search returned (the API's search by face). */
export async function resolveExternalImageId(dynamo: DynamoDBDocumentClient, tableName: string, id: string): Promise<string | undefined> {
  if (!isHashedExternalImageId(id)) return decodeExternalImageId(id);
  const { Item } = await callAws('DynamoDB', () =>
    dynamo.send(new GetCommand({ TableName: tableName, Key: imageKey(`${EXTERNAL_ENTRY_PREFIX}${id}`) })),
  );
  return typeof Item?.imageOf === 'string' ? Item.imageOf : undefined;
}

/**
 * Adds FaceIds to the item's `faceIndex` while the item still holds this version. Called right after
 * IndexFaces, before anything else can fail: from then on StoreResult, RecordFailure or a delete finds
 * them. SUPERSEDED: a newer version owns the item; the caller deletes the faces it just indexed.
 */
export async function recordFaceIds(
  dynamo: DynamoDBDocumentClient,
  tableName: string,
  image: Pick<ImageItem, 'imageId' | 'sequencerKey'>,
  faceIds: readonly string[],
): Promise<'RECORDED' | 'SUPERSEDED'> {
  if (faceIds.length === 0) return 'RECORDED';
  const written = await updateWhileVersion(dynamo, tableName, image, {
    expression: 'ADD #faceIndex :faceIds',
    names: { '#faceIndex': 'faceIndex' },
    values: { ':faceIds': new Set(faceIds) },
  });
  return written ? 'RECORDED' : 'SUPERSEDED';
}

/** DeleteFaces takes at most 4096 FaceIds. */
const DELETE_BATCH = 4096;

/**
 * Deletes faces from the collection. Rekognition refuses to delete a face associated with a user
 * (ASSOCIATED_TO_AN_EXISTING_USER): those are disassociated from their user first, then deleted, as
 * biometric data must not outlive its photo. Unknown FaceIds are no error (already deleted).
 */
export async function deleteCollectionFaces(
  rekognition: RekognitionClient,
  collectionId: string,
  faceIds: Iterable<string>,
): Promise<void> {
  const ids = [...new Set(faceIds)];
  for (let start = 0; start < ids.length; start += DELETE_BATCH) {
    const batch = ids.slice(start, start + DELETE_BATCH);
    const output = await callAws('Rekognition', () =>
      rekognition.send(new DeleteFacesCommand({ CollectionId: collectionId, FaceIds: batch })),
    );
    const byUser = new Map<string, string[]>();
    const refused: string[] = [];
    for (const failed of output?.UnsuccessfulFaceDeletions ?? []) {
      if (failed.FaceId && failed.UserId && failed.Reasons?.includes('ASSOCIATED_TO_AN_EXISTING_USER')) {
        byUser.set(failed.UserId, [...(byUser.get(failed.UserId) ?? []), failed.FaceId]);
      } else if (failed.FaceId) refused.push(`${failed.FaceId} (${(failed.Reasons ?? []).join(', ')})`);
    }
    if (refused.length > 0) throw new Error(`DeleteFaces refused ${refused.length} faces: ${refused.join('; ')}`);
    if (byUser.size === 0) continue;
    for (const [UserId, FaceIds] of byUser) {
      await callAws('Rekognition', () => rekognition.send(new DisassociateFacesCommand({ CollectionId: collectionId, UserId, FaceIds })));
    }
    const again = await callAws('Rekognition', () =>
      rekognition.send(new DeleteFacesCommand({ CollectionId: collectionId, FaceIds: [...byUser.values()].flat() })),
    );
    const left = again?.UnsuccessfulFaceDeletions ?? [];
    if (left.length > 0) throw new Error(`DeleteFaces refused ${left.length} faces after disassociating them from their users`);
  }
}

/**
 * Deletes the faces the item lists that the stored result does not keep (a previous version's, or a
 * failed attempt's), then drops them from `faceIndex`: delete first, shrink last, so a crash in between
 * leaves ids the next sync or delete still finds. Only while the item holds this version: otherwise the
 * newer version's own sync owns them.
 */
export async function syncFaceIndex(
  clients: { dynamo: DynamoDBDocumentClient; rekognition: RekognitionClient },
  tableName: string,
  collectionId: string,
  image: Pick<ImageItem, 'imageId' | 'sequencerKey'>,
  keep: readonly string[],
): Promise<'SYNCED' | 'SUPERSEDED'> {
  // A no-op write that reads the set under the version condition in one request.
  const item = await updateWhileVersion(clients.dynamo, tableName, image, {
    expression: 'SET #sequencerKey = #sequencerKey',
    returnItem: true,
  });
  if (!item) return 'SUPERSEDED';
  const listed = (item.faceIndex as Set<string> | undefined) ?? new Set<string>();
  const stale = [...listed].filter((id) => !keep.includes(id));
  if (stale.length === 0) return 'SYNCED';
  await deleteCollectionFaces(clients.rekognition, collectionId, stale);
  await callAws('DynamoDB', () =>
    clients.dynamo.send(
      new UpdateCommand({
        TableName: tableName,
        Key: imageKey(image.imageId),
        UpdateExpression: 'DELETE #faceIndex :stale',
        ExpressionAttributeNames: { '#faceIndex': 'faceIndex' },
        ExpressionAttributeValues: { ':stale': new Set(stale) },
      }),
    ),
  );
  return 'SYNCED';
}

/** Every FaceId an item may have in the collection: its `faceIndex` and its faces' ids. */
export function faceIdsOf(item: Pick<ImageItem, 'faceIndex' | 'faces'>): string[] {
  return [...new Set([...(item.faceIndex ?? []), ...(item.faces ?? []).flatMap((f) => (f.faceId ? [f.faceId] : []))])];
}

/**
 * Deletes an image's faces and its `#external/` entry (an image being deleted). Refuses to go on
 * without a collection when the item has faces: the photo must not go while its face vectors stay.
 */
export async function deleteImageFaces(
  clients: { dynamo: DynamoDBDocumentClient; rekognition?: RekognitionClient },
  tableName: string,
  collectionId: string | undefined,
  item: Pick<ImageItem, 'imageId' | 'faceIndex' | 'faces' | 'externalImageId'>,
): Promise<void> {
  const ids = faceIdsOf(item);
  if (ids.length > 0) {
    if (!clients.rekognition || !collectionId) {
      throw new Error(
        `${item.imageId} has ${ids.length} indexed faces but no face collection is configured to delete them from: ` +
          'delete it through the HTTP API (or a running picflow dev), which reaches the collection',
      );
    }
    await deleteCollectionFaces(clients.rekognition, collectionId, ids);
  }
  if (item.externalImageId && isHashedExternalImageId(item.externalImageId)) {
    await callAws('DynamoDB', () =>
      clients.dynamo.send(new DeleteCommand({ TableName: tableName, Key: imageKey(`${EXTERNAL_ENTRY_PREFIX}${item.externalImageId}`) })),
    );
  }
}

/**
 * People's names live in the images table as `#person/<userId>` entries rather than in a table of
 * their own: a handful of small items, no new table, role or local store to create, and image scans
 * already skip `#` entries (image-scan.ts). The user vectors themselves are Rekognition users.
 */
export interface PersonEntry {
  userId: string;
  name: string;
}

export async function putPersonName(dynamo: DynamoDBDocumentClient, tableName: string, person: PersonEntry): Promise<void> {
  await callAws('DynamoDB', () =>
    dynamo.send(
      new PutCommand({
        TableName: tableName,
        Item: { imageId: `${PERSON_ENTRY_PREFIX}${person.userId}`, userId: person.userId, personName: person.name },
      }),
    ),
  );
}

export async function deletePersonName(dynamo: DynamoDBDocumentClient, tableName: string, userId: string): Promise<void> {
  await callAws('DynamoDB', () =>
    dynamo.send(new DeleteCommand({ TableName: tableName, Key: imageKey(`${PERSON_ENTRY_PREFIX}${userId}`) })),
  );
}

/** The names of these users (BatchGetItem, 100 keys a request); a user without a name is left out. */
export async function personNames(
  dynamo: DynamoDBDocumentClient,
  tableName: string,
  userIds: Iterable<string>,
): Promise<Map<string, string>> {
  const ids = [...new Set(userIds)];
  const names = new Map<string, string>();
  for (let start = 0; start < ids.length; start += 100) {
    let keys: Record<string, unknown>[] = ids.slice(start, start + 100).map((id) => imageKey(`${PERSON_ENTRY_PREFIX}${id}`));
    for (let attempt = 0; keys.length > 0 && attempt < 8; attempt++) {
      const output = await callAws('DynamoDB', () =>
        dynamo.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: keys, ConsistentRead: true } } })),
      );
      for (const item of output?.Responses?.[tableName] ?? []) {
        if (typeof item.userId === 'string' && typeof item.personName === 'string') names.set(item.userId, item.personName);
      }
      keys = (output?.UnprocessedKeys?.[tableName]?.Keys ?? []) as Record<string, unknown>[];
    }
  }
  return names;
}
