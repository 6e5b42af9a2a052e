// A people merge that fails part-way, against the real local Rekognition collections and dynalite: the faces
// moving between the two users, the journal that lets a repeat finish the merge, and the merges it refuses.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  AssociateFacesCommand,
  DeleteUserCommand,
  ListFacesCommand,
  ListUsersCommand,
  RekognitionClient,
} from '@aws-sdk/client-rekognition';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mergePeople } from '../../api/faces/people';
import { MERGE_ENTRY_PREFIX } from '../../api/faces/merge-journal';
import { ApiError } from '../../api/shared/http';
import { startRekognitionServer, type RekognitionServer } from '../../local/rekognition';
import { CollectionStore, type StoredFace } from '../../local/rekognition/collections/collection-store';
import { PERSON_ENTRY_PREFIX } from '../../tasks/shared/faces';
import { createImageTable, startDynalite, type LocalDynamo } from '../support/dynalite';

const FACE = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
/** One collection and one images table per test (named alike), seeded before the server starts: no test sees another's users. */
const SEEDS: Record<string, Record<string, number>> = {
  resume: { 'person-a': 2, 'person-b': 3 },
  deleted: { 'person-a': 2, 'person-b': 3 },
  conflict: { 'person-a': 2, 'person-b': 3, 'person-c': 1 },
  full: { 'person-a': 60, 'person-b': 50 },
  abandoned: { 'person-a': 2, 'person-b': 3, 'person-c': 1 },
};

let dir: string;
let server: RekognitionServer;
let rekognition: RekognitionClient;
let local: LocalDynamo;
let dynamo: DynamoDBDocumentClient;

/** Faces with made-up descriptors: a merge never compares them (UserMatchThreshold 0), so no model has to run. */
async function seedCollections(directory: string): Promise<void> {
  const store = await CollectionStore.open(directory);
  let n = 0;
  for (const [collectionId, people] of Object.entries(SEEDS)) {
    const c = await store.createCollection(collectionId, Date.now());
    const faces: StoredFace[] = [];
    for (const [userId, count] of Object.entries(people)) {
      await store.putUser(c, userId, Date.now());
      for (let i = 0; i < count; i++) {
        n++;
        faces.push({
          FaceId: FACE(n),
          ImageId: FACE(n),
          ExternalImageId: `img-${n}`,
          BoundingBox: { Width: 0.2, Height: 0.2, Left: 0.1, Top: 0.1 },
          Confidence: 99.9,
          UserId: userId,
          embedding: Float32Array.from({ length: 8 }, (_, k) => (k === n % 8 ? 1 : 0.1)),
        });
      }
    }
    await store.putFaces(c, faces);
  }
  await store.close();
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'picflow-merge-'));
  await seedCollections(path.join(dir, 'collections'));
  server = await startRekognitionServer({ workers: 1, faults: {}, collectionsDir: path.join(dir, 'collections') });
  rekognition = new RekognitionClient({
    endpoint: server.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  local = await startDynalite();
  for (const collectionId of Object.keys(SEEDS)) await createImageTable(local, collectionId);
  dynamo = DynamoDBDocumentClient.from(local.client);
}, 60_000);

afterAll(async () => {
  rekognition?.destroy();
  await server?.close();
  await local?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A client whose first call of one command kind fails, as an exhausted retry or a Lambda timeout would end it. */
function failingOnce<C extends { send: (...args: never[]) => unknown }>(client: C, kind: new (...args: never[]) => object): C {
  let armed = true;
  const send = client.send.bind(client) as (command: object) => unknown;
  return Object.assign(Object.create(client) as C, {
    send: (command: object) => {
      if (armed && command instanceof kind) {
        armed = false;
        return Promise.reject(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
      }
      return send(command);
    },
  });
}

const depsOf = (collectionId: string, clients: { rekognition?: RekognitionClient; dynamo?: DynamoDBDocumentClient } = {}) => ({
  config: { tableName: collectionId, faceCollectionId: collectionId },
  clients: { rekognition: clients.rekognition ?? rekognition, dynamo: clients.dynamo ?? dynamo },
});

async function facesOf(collectionId: string, userId?: string): Promise<string[]> {
  const output = await rekognition.send(
    new ListFacesCommand({ CollectionId: collectionId, MaxResults: 4096, ...(userId ? { UserId: userId } : {}) }),
  );
  return (output.Faces ?? []).map((f) => f.FaceId!).sort();
}

async function usersOf(collectionId: string): Promise<string[]> {
  const output = await rekognition.send(new ListUsersCommand({ CollectionId: collectionId }));
  return (output.Users ?? []).map((u) => u.UserId!).sort();
}

async function entry(table: string, id: string): Promise<Record<string, unknown> | undefined> {
  return (await dynamo.send(new GetCommand({ TableName: table, Key: { imageId: id }, ConsistentRead: true }))).Item;
}

async function rejectionOf(call: Promise<unknown>): Promise<Error & { statusCode?: number; code?: string }> {
  try {
    await call;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the merge to fail');
}

describe('Function: mergePeople on the local collections', () => {
  it('a merge that failed between DisassociateFaces and AssociateFaces is finished by repeating it: every face on into', async () => {
    // Prepare
    const C = 'resume';
    const fromFaces = await facesOf(C, 'person-b');
    const intoFaces = await facesOf(C, 'person-a');
    await dynamo.send(
      new PutCommand({ TableName: C, Item: { imageId: `${PERSON_ENTRY_PREFIX}person-b`, userId: 'person-b', personName: 'Grandma' } }),
    );
    const failed = await rejectionOf(
      mergePeople('person-a', { from: 'person-b' }, depsOf(C, { rekognition: failingOnce(rekognition, AssociateFacesCommand) })),
    );
    const afterFailure = { a: await facesOf(C, 'person-a'), b: await facesOf(C, 'person-b') };
    // Act
    const merged = await mergePeople('person-a', { from: 'person-b' }, depsOf(C));
    // Assess
    expect(failed.name).toBe('ThrottlingException');
    expect(afterFailure).toEqual({ a: intoFaces, b: [] }); // b's faces belong to nobody: only the journal knows them
    expect(merged).toEqual({ userId: 'person-a', name: 'Grandma', faceIds: [...intoFaces, ...fromFaces].sort() });
    expect(await facesOf(C, 'person-a')).toEqual([...intoFaces, ...fromFaces].sort());
    expect(await usersOf(C)).toEqual(['person-a']);
    expect(await entry(C, `${PERSON_ENTRY_PREFIX}person-a`)).toMatchObject({ personName: 'Grandma' });
    expect(await entry(C, `${PERSON_ENTRY_PREFIX}person-b`)).toBeUndefined();
    expect(await entry(C, `${MERGE_ENTRY_PREFIX}person-b`)).toBeUndefined();
  });

  it('a merge that failed after from was deleted is finished by repeating it, from its journal (not a 404)', async () => {
    // Prepare: the merge dies at the first DynamoDB delete (from's name), after DeleteUser.
    const C = 'deleted';
    const all = await facesOf(C);
    await dynamo.send(
      new PutCommand({ TableName: C, Item: { imageId: `${PERSON_ENTRY_PREFIX}person-b`, userId: 'person-b', personName: 'Uncle' } }),
    );
    await dynamo.send(new DeleteCommand({ TableName: C, Key: { imageId: `${PERSON_ENTRY_PREFIX}person-a` } }));
    await rejectionOf(mergePeople('person-a', { from: 'person-b' }, depsOf(C, { dynamo: failingOnce(dynamo, DeleteCommand) })));
    const usersAfterFailure = await usersOf(C);
    // Act
    const merged = await mergePeople('person-a', { from: 'person-b' }, depsOf(C));
    // Assess
    expect(usersAfterFailure).toEqual(['person-a']);
    expect(merged).toEqual({ userId: 'person-a', name: 'Uncle', faceIds: all });
    expect(await entry(C, `${PERSON_ENTRY_PREFIX}person-b`)).toBeUndefined();
    expect(await entry(C, `${MERGE_ENTRY_PREFIX}person-b`)).toBeUndefined();
    expect((await rejectionOf(mergePeople('person-a', { from: 'person-b' }, depsOf(C)))).statusCode).toBe(404);
  });

  it('while a merge is unfinished, merging its from into someone else, or anyone into its from, is a 409 that moves nothing', async () => {
    // Prepare
    const C = 'conflict';
    await rejectionOf(
      mergePeople('person-a', { from: 'person-b' }, depsOf(C, { rekognition: failingOnce(rekognition, AssociateFacesCommand) })),
    );
    const before = { a: await facesOf(C, 'person-a'), c: await facesOf(C, 'person-c') };
    // Act
    const elsewhere = await rejectionOf(mergePeople('person-c', { from: 'person-b' }, depsOf(C)));
    const intoLeaving = await rejectionOf(mergePeople('person-b', { from: 'person-c' }, depsOf(C)));
    // Assess
    for (const refused of [elsewhere, intoLeaving]) {
      expect(refused).toBeInstanceOf(ApiError);
      expect(refused).toMatchObject({ statusCode: 409, code: 'MergeUnderWay' });
      expect(refused.message).toContain('POST /people/person-a/merge with {"from": "person-b"}');
    }
    expect({ a: await facesOf(C, 'person-a'), c: await facesOf(C, 'person-c') }).toEqual(before);
    expect(await usersOf(C)).toEqual(['person-a', 'person-b', 'person-c']);
  });

  it('refuses, before moving any face, a merge that would give into more than the 100 faces a user holds', async () => {
    // Prepare
    const C = 'full';
    const before = { a: await facesOf(C, 'person-a'), b: await facesOf(C, 'person-b') };
    // Act
    const refused = await rejectionOf(mergePeople('person-a', { from: 'person-b' }, depsOf(C)));
    // Assess
    expect(refused).toMatchObject({ statusCode: 400, code: 'TooManyFaces' });
    expect({ a: await facesOf(C, 'person-a'), b: await facesOf(C, 'person-b') }).toEqual(before);
    expect(await entry(C, `${MERGE_ENTRY_PREFIX}person-b`)).toBeUndefined();
  });

  it('an unfinished merge whose into was deleted since blocks nothing: from can be merged into someone else', async () => {
    // Prepare
    const C = 'abandoned';
    const bFaces = await facesOf(C, 'person-b');
    const cFaces = await facesOf(C, 'person-c');
    await rejectionOf(
      mergePeople('person-a', { from: 'person-b' }, depsOf(C, { rekognition: failingOnce(rekognition, AssociateFacesCommand) })),
    );
    await rekognition.send(new DeleteUserCommand({ CollectionId: C, UserId: 'person-a' }));
    const strayFace = await rekognition.send(new AssociateFacesCommand({ CollectionId: C, UserId: 'person-b', FaceIds: [bFaces[0]!] }));
    // Act
    const merged = await mergePeople('person-c', { from: 'person-b' }, depsOf(C));
    // Assess: b's faces that belonged to nobody stay so (as DELETE /people/person-a would have left them); b is gone.
    expect(strayFace.AssociatedFaces).toHaveLength(1);
    expect(merged.faceIds).toEqual([...cFaces, bFaces[0]!].sort());
    expect(await usersOf(C)).toEqual(['person-c']);
    expect(await entry(C, `${MERGE_ENTRY_PREFIX}person-b`)).toBeUndefined();
  });
});
