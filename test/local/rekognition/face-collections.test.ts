// Face collections on the local Rekognition endpoint: a real server with the real face models, the real
// @aws-sdk/client-rekognition, photos of the same people taken apart (test/fixtures/faces, SOURCES.md).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  AssociateFacesCommand,
  CreateCollectionCommand,
  CreateUserCommand,
  DeleteCollectionCommand,
  DeleteFacesCommand,
  DescribeCollectionCommand,
  DisassociateFacesCommand,
  IndexFacesCommand,
  ListCollectionsCommand,
  ListFacesCommand,
  ListUsersCommand,
  RekognitionClient,
  SearchFacesByImageCommand,
  SearchFacesCommand,
  SearchUsersByImageCommand,
  SearchUsersCommand,
} from '@aws-sdk/client-rekognition';
import { startRekognitionServer, type RekognitionServer } from '../../../local/rekognition';

const FACES = path.join(__dirname, '..', '..', 'fixtures', 'faces');
const photo = (name: string): { Bytes: Buffer } => ({ Bytes: readFileSync(path.join(FACES, `${name}.jpg`)) });

async function errorOf(call: Promise<unknown>): Promise<Error> {
  try {
    await call;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the call to fail');
}

let dir: string;
let server: RekognitionServer;
let rek: RekognitionClient;

async function start(): Promise<void> {
  server = await startRekognitionServer({
    workers: 1,
    preload: ['DetectFaces'],
    faults: {},
    collectionsDir: path.join(dir, 'collections'),
  });
  rek = new RekognitionClient({
    endpoint: server.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'picflow-collections-'));
  await start();
}, 60_000);

afterAll(async () => {
  rek?.destroy();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('collections', () => {
  it('creates, describes, lists and deletes a collection; a second create and a missing one fail with AWS error names', async () => {
    // Act
    const created = await rek.send(new CreateCollectionCommand({ CollectionId: 'lifecycle' }));
    const described = await rek.send(new DescribeCollectionCommand({ CollectionId: 'lifecycle' }));
    const listed = await rek.send(new ListCollectionsCommand({}));
    const again = await errorOf(rek.send(new CreateCollectionCommand({ CollectionId: 'lifecycle' })));
    await rek.send(new DeleteCollectionCommand({ CollectionId: 'lifecycle' }));
    const gone = await errorOf(rek.send(new DescribeCollectionCommand({ CollectionId: 'lifecycle' })));
    const badId = await errorOf(rek.send(new CreateCollectionCommand({ CollectionId: 'has space' })));
    // Assess
    expect(created).toMatchObject({ StatusCode: 200, FaceModelVersion: '7.0' });
    expect(created.CollectionArn).toMatch(/collection\/lifecycle$/);
    expect(described).toMatchObject({ FaceCount: 0, UserCount: 0 });
    expect(described.CreationTimestamp).toBeInstanceOf(Date);
    expect(listed.CollectionIds).toContain('lifecycle');
    expect(again.name).toBe('ResourceAlreadyExistsException');
    expect(gone.name).toBe('ResourceNotFoundException');
    expect(badId.name).toBe('InvalidParameterException');
  });

  it('applies injected faults to collection operations too (IndexFaces is the faces branch call)', async () => {
    // Prepare
    server.faults.configure({ CreateCollection: { fail: 'AccessDeniedException' } });

    // Act
    const refused = await errorOf(rek.send(new CreateCollectionCommand({ CollectionId: 'faulty' })));
    server.faults.configure({});
    const created = await rek.send(new CreateCollectionCommand({ CollectionId: 'faulty' }));

    // Assess
    expect(refused.name).toBe('AccessDeniedException');
    expect(created.StatusCode).toBe(200);
  });
});

describe('faces and users', () => {
  const C = 'family';
  let dadFace: string;

  beforeAll(async () => {
    await rek.send(new CreateCollectionCommand({ CollectionId: C }));
  });

  it('indexes a face with ExternalImageId and all attributes, and lists it', async () => {
    // Act
    const indexed = await rek.send(
      new IndexFacesCommand({ CollectionId: C, Image: photo('family1-dad1'), ExternalImageId: 'img:dad-1', DetectionAttributes: ['ALL'] }),
    );
    await rek.send(new IndexFacesCommand({ CollectionId: C, Image: photo('family1-mom1'), ExternalImageId: 'img:mom-1' }));
    const listed = await rek.send(new ListFacesCommand({ CollectionId: C }));
    // Assess
    expect(indexed.FaceRecords).toHaveLength(1);
    const record = indexed.FaceRecords![0]!;
    dadFace = record.Face!.FaceId!;
    expect(record.Face).toMatchObject({ ExternalImageId: 'img:dad-1', IndexFacesModelVersion: '7.0' });
    expect(record.FaceDetail).toHaveProperty('AgeRange');
    expect(record.FaceDetail).toHaveProperty('Emotions');
    expect(listed.Faces!.map((f) => f.ExternalImageId).sort()).toEqual(['img:dad-1', 'img:mom-1']);
  });

  it('refuses an ExternalImageId outside [a-zA-Z0-9_.\\-:]+', async () => {
    const err = await errorOf(rek.send(new IndexFacesCommand({ CollectionId: C, Image: photo('family1-dad1'), ExternalImageId: 'a/b' })));
    expect(err.name).toBe('InvalidParameterException');
  });

  it('paginates ListFaces', async () => {
    const first = await rek.send(new ListFacesCommand({ CollectionId: C, MaxResults: 1 }));
    const second = await rek.send(new ListFacesCommand({ CollectionId: C, MaxResults: 1, NextToken: first.NextToken }));
    expect(first.NextToken).toBeDefined();
    expect(second.Faces![0]!.FaceId).not.toBe(first.Faces![0]!.FaceId);
    expect(second.NextToken).toBeUndefined();
  });

  it('SearchFacesByImage finds the same person in a different photo, and not a different person', async () => {
    // Act
    const dad = await rek.send(new SearchFacesByImageCommand({ CollectionId: C, Image: photo('family1-dad2') }));
    const stranger = await rek.send(new SearchFacesByImageCommand({ CollectionId: C, Image: photo('family3-man1') }));
    // Assess
    expect(dad.FaceMatches!.map((m) => m.Face!.ExternalImageId)).toEqual(['img:dad-1']);
    expect(dad.FaceMatches![0]!.Similarity).toBeGreaterThanOrEqual(80);
    expect(dad.SearchedFaceBoundingBox).toHaveProperty('Width');
    expect(stranger.FaceMatches).toEqual([]);
  });

  it('SearchFaces by FaceId finds the other photo of the same person, not itself', async () => {
    // Prepare
    await rek.send(new IndexFacesCommand({ CollectionId: C, Image: photo('family1-dad3'), ExternalImageId: 'img:dad-3' }));
    // Act
    const found = await rek.send(new SearchFacesCommand({ CollectionId: C, FaceId: dadFace }));
    // Assess
    expect(found.SearchedFaceId).toBe(dadFace);
    expect(found.FaceMatches!.map((m) => m.Face!.ExternalImageId)).toEqual(['img:dad-3']);
  });

  it('users: create, associate, list, search users by face and by image; conflicts and refusals as AWS names them', async () => {
    // Prepare
    const dadFaces = (await rek.send(new ListFacesCommand({ CollectionId: C }))).Faces!.filter((f) =>
      f.ExternalImageId?.startsWith('img:dad'),
    );
    const momFace = (await rek.send(new ListFacesCommand({ CollectionId: C }))).Faces!.find((f) => f.ExternalImageId === 'img:mom-1')!;
    // Act
    await rek.send(new CreateUserCommand({ CollectionId: C, UserId: 'dad' }));
    const dup = await errorOf(rek.send(new CreateUserCommand({ CollectionId: C, UserId: 'dad' })));
    const associated = await rek.send(
      new AssociateFacesCommand({ CollectionId: C, UserId: 'dad', FaceIds: dadFaces.map((f) => f.FaceId!) }),
    );
    const notDad = await rek.send(new AssociateFacesCommand({ CollectionId: C, UserId: 'dad', FaceIds: [momFace.FaceId!] }));
    const users = await rek.send(new ListUsersCommand({ CollectionId: C }));
    const byFace = await rek.send(new SearchUsersCommand({ CollectionId: C, FaceId: dadFaces[0]!.FaceId }));
    const byImage = await rek.send(new SearchUsersByImageCommand({ CollectionId: C, Image: photo('family1-dad2') }));
    const strangerImage = await rek.send(new SearchUsersByImageCommand({ CollectionId: C, Image: photo('family2-man1') }));
    const blocked = await rek.send(new DeleteFacesCommand({ CollectionId: C, FaceIds: [dadFaces[0]!.FaceId!] }));
    const byDad = await rek.send(new ListFacesCommand({ CollectionId: C, UserId: 'dad' }));
    const missingUser = await errorOf(
      rek.send(new AssociateFacesCommand({ CollectionId: C, UserId: 'nobody', FaceIds: [momFace.FaceId!] })),
    );
    // Assess
    expect(dup.name).toBe('ConflictException');
    expect(associated.AssociatedFaces).toHaveLength(2);
    expect(notDad.UnsuccessfulFaceAssociations![0]!.Reasons).toEqual(['LOW_MATCH_CONFIDENCE']);
    expect(users.Users).toEqual([{ UserId: 'dad', UserStatus: 'ACTIVE' }]);
    expect(byFace.UserMatches!.map((m) => m.User!.UserId)).toEqual(['dad']);
    expect(byImage.UserMatches!.map((m) => m.User!.UserId)).toEqual(['dad']);
    expect(strangerImage.UserMatches).toEqual([]);
    expect(blocked.UnsuccessfulFaceDeletions![0]!.Reasons).toEqual(['ASSOCIATED_TO_AN_EXISTING_USER']);
    expect(byDad.Faces).toHaveLength(2);
    expect(missingUser.name).toBe('ResourceNotFoundException');
  });

  it('deletes faces once disassociated; searches no longer return them', async () => {
    // Prepare
    const dadFaces = (await rek.send(new ListFacesCommand({ CollectionId: C, UserId: 'dad' }))).Faces!.map((f) => f.FaceId!);
    await rek.send(new DisassociateFacesCommand({ CollectionId: C, UserId: 'dad', FaceIds: dadFaces }));
    // Act
    const deleted = await rek.send(new DeleteFacesCommand({ CollectionId: C, FaceIds: dadFaces }));
    const search = await rek.send(new SearchFacesByImageCommand({ CollectionId: C, Image: photo('family1-dad2') }));
    // Assess
    expect(deleted.DeletedFaces!.sort()).toEqual([...dadFaces].sort());
    expect(search.FaceMatches).toEqual([]);
  });

  it('a collection, its faces and users survive a server restart', async () => {
    // Prepare
    await rek.send(new CreateCollectionCommand({ CollectionId: 'kept' }));
    await rek.send(new IndexFacesCommand({ CollectionId: 'kept', Image: photo('family1-son1'), ExternalImageId: 'son-1' }));
    await rek.send(new CreateUserCommand({ CollectionId: 'kept', UserId: 'son' }));
    // Act
    rek.destroy();
    await server.close();
    await start();
    const described = await rek.send(new DescribeCollectionCommand({ CollectionId: 'kept' }));
    const found = await rek.send(new SearchFacesByImageCommand({ CollectionId: 'kept', Image: photo('family1-son2') }));
    const users = await rek.send(new ListUsersCommand({ CollectionId: 'kept' }));
    // Assess
    expect(described).toMatchObject({ FaceCount: 1, UserCount: 1 });
    expect(found.FaceMatches!.map((m) => m.Face!.ExternalImageId)).toEqual(['son-1']);
    expect(users.Users!.map((u) => u.UserId)).toEqual(['son']);
  }, 60_000);
});
