// The faces route group (api/faces/) with mocked Rekognition and DynamoDB: search by photo and by stored
// face, paging, the people routes, their errors, and every response checked against api/openapi.json.
import {
  AssociateFacesCommand,
  CreateUserCommand,
  DeleteUserCommand,
  DisassociateFacesCommand,
  ListFacesCommand,
  ListUsersCommand,
  RekognitionClient,
  SearchFacesByImageCommand,
  SearchFacesCommand,
} from '@aws-sdk/client-rekognition';
import { BatchGetCommand, DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { handler } from '../../api/faces/handler';
import { resetClients } from '../../tasks/shared/aws-clients';
import { externalImageId } from '../../tasks/shared/faces';
import { apiEvent } from './events';
import { expectDocumented } from './openapi-check';

const ddb = mockClient(DynamoDBDocumentClient);
const rekognition = mockClient(RekognitionClient);
const FACE = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const PHOTO = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);
const ENV = { TABLE_NAME: 'images', BUCKET_NAME: 'picflow-uploads', FACE_COLLECTION_ID: 'picflow-faces' };

const faceMatch = (imageId: string, faceId: string, similarity: number) => ({
  Similarity: similarity,
  Face: { FaceId: faceId, ExternalImageId: externalImageId(imageId), BoundingBox: { Left: 0.1, Top: 0.2, Width: 0.3, Height: 0.4 } },
});

beforeEach(() => {
  ddb.reset();
  rekognition.reset();
  resetClients();
  Object.assign(process.env, ENV);
  delete process.env.PERSON_MATCH_THRESHOLD;
});

afterAll(() => {
  for (const name of Object.keys(ENV)) delete process.env[name];
  resetClients();
});

const photoEvent = (query: Record<string, string> = {}, body: Buffer = PHOTO, contentType = 'image/jpeg') =>
  apiEvent('POST /faces/search', {
    headers: { 'content-type': contentType },
    body: body.toString('base64'),
    isBase64Encoded: true,
    queryStringParameters: query,
  });
const jsonEvent = (routeKey: string, body: unknown, pathParameters?: Record<string, string>) =>
  apiEvent(routeKey, {
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    ...(pathParameters ? { pathParameters } : {}),
  });

describe('Function: faces handler, POST /faces/search', () => {
  it('searches with the photo at the person threshold and answers one entry per image, best first, ids mapped back', async () => {
    // Prepare
    rekognition.on(SearchFacesByImageCommand).resolves({
      FaceMatches: [
        faceMatch('picflow-uploads/uploads/b.jpg', FACE(2), 91.234),
        faceMatch('picflow-uploads/uploads/a photo.jpg', FACE(1), 97.5),
        faceMatch('picflow-uploads/uploads/b.jpg', FACE(3), 85),
      ],
    });

    // Act
    const response = await handler(photoEvent());

    // Assess
    expectDocumented('post', '/faces/search', response);
    expect(response.statusCode).toBe(200);
    expect(rekognition).toHaveReceivedCommandWith(SearchFacesByImageCommand, {
      CollectionId: 'picflow-faces',
      Image: { Bytes: new Uint8Array(PHOTO) },
      FaceMatchThreshold: 80,
    });
    expect(JSON.parse(response.body)).toEqual({
      matches: [
        {
          imageId: 'picflow-uploads/uploads/a photo.jpg',
          key: 'uploads/a photo.jpg',
          faceId: FACE(1),
          similarity: 97.5,
          box: { left: 0.1, top: 0.2, width: 0.3, height: 0.4 },
        },
        {
          imageId: 'picflow-uploads/uploads/b.jpg',
          key: 'uploads/b.jpg',
          faceId: FACE(2),
          similarity: 91.23,
          box: { left: 0.1, top: 0.2, width: 0.3, height: 0.4 },
        },
      ],
    });
  });

  it('pages with an opaque token bound to the same photo and threshold, and refuses it for another search', async () => {
    // Prepare
    const matches = [1, 2, 3].map((n) => faceMatch(`picflow-uploads/uploads/${n}.jpg`, FACE(n), 100 - n));
    rekognition.on(SearchFacesByImageCommand).resolves({ FaceMatches: matches });

    // Act
    const first = await handler(photoEvent({ limit: '2', threshold: '70' }));
    const { nextToken } = JSON.parse(first.body);
    const second = await handler(photoEvent({ limit: '2', threshold: '70', nextToken }));
    const otherThreshold = await handler(photoEvent({ limit: '2', threshold: '60', nextToken }));

    // Assess
    expect(JSON.parse(first.body).matches.map((m: { key: string }) => m.key)).toEqual(['uploads/1.jpg', 'uploads/2.jpg']);
    expect(typeof nextToken).toBe('string');
    expectDocumented('post', '/faces/search', second);
    expect(JSON.parse(second.body)).toEqual({ matches: [expect.objectContaining({ key: 'uploads/3.jpg' })] });
    expect(rekognition).toHaveReceivedCommandWith(SearchFacesByImageCommand, { FaceMatchThreshold: 70 });
    expectDocumented('post', '/faces/search', otherThreshold);
    expect([otherThreshold.statusCode, JSON.parse(otherThreshold.body).code]).toEqual([400, 'InvalidToken']);
  });

  it('answers 400 with a sentence for a photo without a face', async () => {
    // Prepare
    rekognition
      .on(SearchFacesByImageCommand)
      .rejects(Object.assign(new Error('There are no faces in the image. Should be at least 1.'), { name: 'InvalidParameterException' }));

    // Act
    const response = await handler(photoEvent());

    // Assess
    expectDocumented('post', '/faces/search', response);
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body)).toMatchObject({ code: 'NoFace', message: expect.stringMatching(/No face was found in the photo/) });
  });

  it('searches with a stored face (SearchFaces) when it is on that image, and 404s a face the image does not have', async () => {
    // Prepare
    const imageId = 'picflow-uploads/uploads/me.jpg';
    ddb.on(GetCommand).resolves({ Item: { imageId, faceIndex: new Set([FACE(7)]) } });
    rekognition.on(SearchFacesCommand).resolves({ FaceMatches: [faceMatch('picflow-uploads/uploads/you.jpg', FACE(8), 88)] });

    // Act
    const found = await handler(jsonEvent('POST /faces/search', { imageId, faceId: FACE(7), threshold: 85 }));
    const missing = await handler(jsonEvent('POST /faces/search', { imageId, faceId: FACE(9) }));

    // Assess
    expectDocumented('post', '/faces/search', found);
    expect(rekognition).toHaveReceivedCommandWith(SearchFacesCommand, {
      CollectionId: 'picflow-faces',
      FaceId: FACE(7),
      FaceMatchThreshold: 85,
    });
    expect(JSON.parse(found.body).matches).toEqual([
      expect.objectContaining({ imageId: 'picflow-uploads/uploads/you.jpg', faceId: FACE(8) }),
    ]);
    expectDocumented('post', '/faces/search', missing);
    expect(missing.statusCode).toBe(404);
    expect(rekognition).toHaveReceivedCommandTimes(SearchFacesCommand, 1);
  });

  it.each([
    ['a GIF (Rekognition reads JPEG and PNG only)', photoEvent({}, PHOTO, 'image/gif'), 415, 'UnsupportedContentType'],
    ['an empty body', photoEvent({}, Buffer.alloc(0)), 400, 'EmptyBody'],
    ['a threshold over 100', photoEvent({ threshold: '101' }), 400, 'InvalidThreshold'],
    ['JSON with neither photo nor face', jsonEvent('POST /faces/search', { faceId: FACE(1) }), 400, 'MissingFace'],
  ])('refuses %s before searching', async (_what, event, status, code) => {
    // Act
    const response = await handler(event);

    // Assess
    expectDocumented('post', '/faces/search', response);
    expect([response.statusCode, JSON.parse(response.body).code]).toEqual([status, code]);
    expect(rekognition.calls()).toHaveLength(0);
  });

  it('answers 501 with a sentence when the stack has no face collection', async () => {
    // Prepare
    delete process.env.FACE_COLLECTION_ID;

    // Act
    const response = await handler(photoEvent());

    // Assess
    expectDocumented('post', '/faces/search', response);
    expect([response.statusCode, JSON.parse(response.body).code]).toEqual([501, 'FaceCollectionOff']);
  });
});

describe('Function: faces handler, people', () => {
  const users = (...ids: string[]) => ({ Users: ids.map((UserId) => ({ UserId, UserStatus: 'ACTIVE' as const })) });
  const names = (entries: Record<string, string>) => ({
    Responses: { images: Object.entries(entries).map(([userId, personName]) => ({ imageId: `#person/${userId}`, userId, personName })) },
  });

  it('GET /people lists the users with their names, face counts and one stored face each, from ListFaces by UserId', async () => {
    // Prepare: Ada's first face is on an image that is gone (a hashed id with no entry); Bea has no face left
    rekognition.on(ListUsersCommand).resolves(users('person-a', 'person-b'));
    const gone = externalImageId(`picflow-uploads/uploads/${'long/'.repeat(60)}gone.jpg`);
    rekognition.on(ListFacesCommand, { UserId: 'person-a' }).resolves({
      Faces: [
        { FaceId: FACE(1), ExternalImageId: gone, BoundingBox: { Left: 0.1, Top: 0.1, Width: 0.2, Height: 0.2 } },
        {
          FaceId: FACE(2),
          ExternalImageId: externalImageId('picflow-uploads/uploads/x.jpg'),
          BoundingBox: { Left: 0.3, Top: 0.2, Width: 0.25, Height: 0.4 },
        },
        {
          FaceId: FACE(3),
          ExternalImageId: externalImageId('picflow-uploads/uploads/y.jpg'),
          BoundingBox: { Left: 0, Top: 0, Width: 1, Height: 1 },
        },
      ],
    });
    rekognition.on(ListFacesCommand, { UserId: 'person-b' }).resolves({ Faces: [] });
    ddb.on(GetCommand).resolves({});
    ddb.on(BatchGetCommand).resolves(names({ 'person-a': 'Ada' }));

    // Act
    const response = await handler(apiEvent('GET /people'));

    // Assess
    expectDocumented('get', '/people', response);
    expect(rekognition).toHaveReceivedCommandWith(ListFacesCommand, { CollectionId: 'picflow-faces', UserId: 'person-a' });
    expect(rekognition).toHaveReceivedCommandWith(ListFacesCommand, { CollectionId: 'picflow-faces', UserId: 'person-b' });
    expect(JSON.parse(response.body)).toEqual({
      people: [
        {
          userId: 'person-a',
          name: 'Ada',
          faceCount: 3,
          face: {
            imageId: 'picflow-uploads/uploads/x.jpg',
            key: 'uploads/x.jpg',
            faceId: FACE(2),
            box: { left: 0.3, top: 0.2, width: 0.25, height: 0.4 },
          },
        },
        { userId: 'person-b', faceCount: 0 },
      ],
    });
  });

  it('GET /people keeps ListUsers paging: limit and nextToken go through, the next token comes back', async () => {
    // Prepare
    rekognition.on(ListUsersCommand).resolves({ ...users('person-c'), NextToken: 'page-3' });
    rekognition.on(ListFacesCommand).resolves({ Faces: [] });
    ddb.on(BatchGetCommand).resolves(names({}));

    // Act
    const response = await handler(apiEvent('GET /people', { queryStringParameters: { limit: '1', nextToken: 'page-2' } }));

    // Assess
    expectDocumented('get', '/people', response);
    expect(rekognition).toHaveReceivedCommandWith(ListUsersCommand, { CollectionId: 'picflow-faces', MaxResults: 1, NextToken: 'page-2' });
    expect(JSON.parse(response.body)).toEqual({ people: [{ userId: 'person-c', faceCount: 0 }], nextToken: 'page-3' });
  });

  it('POST /people creates a user, associates the faces without a similarity gate and stores the name', async () => {
    // Prepare
    rekognition.on(CreateUserCommand).resolves({});
    rekognition.on(AssociateFacesCommand).resolves({
      AssociatedFaces: [{ FaceId: FACE(1) }],
      UnsuccessfulFaceAssociations: [{ FaceId: FACE(2), Reasons: ['ASSOCIATED_TO_A_DIFFERENT_USER'] }],
    });
    ddb.on(PutCommand).resolves({});

    // Act
    const response = await handler(jsonEvent('POST /people', { faceIds: [FACE(1), FACE(2)], name: ' Ada ' }));

    // Assess
    expectDocumented('post', '/people', response);
    expect(response.statusCode).toBe(201);
    const body = JSON.parse(response.body);
    expect(body).toEqual({
      userId: expect.stringMatching(/^person-[0-9a-f-]{36}$/),
      name: 'Ada',
      faceIds: [FACE(1)],
      unassociated: [{ faceId: FACE(2), reasons: ['ASSOCIATED_TO_A_DIFFERENT_USER'] }],
    });
    expect(rekognition).toHaveReceivedCommandWith(AssociateFacesCommand, {
      UserId: body.userId,
      FaceIds: [FACE(1), FACE(2)],
      UserMatchThreshold: 0,
    });
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      Item: { imageId: `#person/${body.userId}`, userId: body.userId, personName: 'Ada' },
    });
  });

  it('POST /people deletes the new user again and answers 400 when no face could be associated', async () => {
    // Prepare
    rekognition.on(CreateUserCommand).resolves({});
    rekognition
      .on(AssociateFacesCommand)
      .resolves({ AssociatedFaces: [], UnsuccessfulFaceAssociations: [{ FaceId: FACE(1), Reasons: ['FACE_NOT_FOUND'] }] });
    rekognition.on(DeleteUserCommand).resolves({});

    // Act
    const response = await handler(jsonEvent('POST /people', { faceIds: [FACE(1)] }));

    // Assess
    expectDocumented('post', '/people', response);
    expect([response.statusCode, JSON.parse(response.body).code]).toEqual([400, 'NoFaceAssociated']);
    expect(rekognition).toHaveReceivedCommandTimes(DeleteUserCommand, 1);
    expect(ddb).not.toHaveReceivedCommand(PutCommand);
  });

  it.each([
    ['no faceIds', {}],
    ['a face id that is not one', { faceIds: ['face-1'] }],
    ['a name over 64 characters', { faceIds: [FACE(1)], name: 'x'.repeat(65) }],
  ])('POST /people refuses %s', async (_what, body) => {
    // Act
    const response = await handler(jsonEvent('POST /people', body));

    // Assess
    expectDocumented('post', '/people', response);
    expect(response.statusCode).toBe(400);
    expect(rekognition.calls()).toHaveLength(0);
  });

  it('PATCH /people/{userId} names an existing person and 404s an unknown one', async () => {
    // Prepare
    rekognition.on(ListUsersCommand).resolves(users('person-a'));
    ddb.on(PutCommand).resolves({});

    // Act
    const named = await handler(jsonEvent('PATCH /people/{userId}', { name: 'Grace' }, { userId: 'person-a' }));
    const unknown = await handler(jsonEvent('PATCH /people/{userId}', { name: 'Grace' }, { userId: 'person-z' }));

    // Assess
    expectDocumented('patch', '/people/{userId}', named);
    expect(JSON.parse(named.body)).toEqual({ userId: 'person-a', name: 'Grace' });
    expectDocumented('patch', '/people/{userId}', unknown);
    expect(unknown.statusCode).toBe(404);
    expect(ddb).toHaveReceivedCommandTimes(PutCommand, 1);
  });

  it("POST /people/{userId}/merge moves from's faces, deletes from, and keeps from's name when the survivor had none", async () => {
    // Prepare
    rekognition.on(ListUsersCommand).resolves(users('person-a', 'person-b'));
    rekognition.on(ListFacesCommand, { UserId: 'person-b' }).resolves({ Faces: [{ FaceId: FACE(3) }, { FaceId: FACE(4) }] });
    rekognition
      .on(ListFacesCommand, { UserId: 'person-a' })
      .resolves({ Faces: [{ FaceId: FACE(1) }, { FaceId: FACE(3) }, { FaceId: FACE(4) }] });
    rekognition.on(DisassociateFacesCommand).resolves({});
    rekognition.on(AssociateFacesCommand).resolves({});
    rekognition.on(DeleteUserCommand).resolves({});
    ddb.on(BatchGetCommand).resolves(names({ 'person-b': 'Ada' }));
    ddb.on(PutCommand).resolves({});
    ddb.on(DeleteCommand).resolves({});

    // Act
    const response = await handler(jsonEvent('POST /people/{userId}/merge', { from: 'person-b' }, { userId: 'person-a' }));

    // Assess
    expectDocumented('post', '/people/{userId}/merge', response);
    expect(JSON.parse(response.body)).toEqual({ userId: 'person-a', name: 'Ada', faceIds: [FACE(1), FACE(3), FACE(4)] });
    expect(rekognition).toHaveReceivedCommandWith(DisassociateFacesCommand, { UserId: 'person-b', FaceIds: [FACE(3), FACE(4)] });
    expect(rekognition).toHaveReceivedCommandWith(AssociateFacesCommand, {
      UserId: 'person-a',
      FaceIds: [FACE(3), FACE(4)],
      UserMatchThreshold: 0,
    });
    expect(rekognition).toHaveReceivedCommandWith(DeleteUserCommand, { UserId: 'person-b' });
    expect(ddb).toHaveReceivedCommandWith(PutCommand, { Item: expect.objectContaining({ userId: 'person-a', personName: 'Ada' }) });
    expect(ddb).toHaveReceivedCommandWith(DeleteCommand, { Key: { imageId: '#person/person-b' } });
    // The journal is written before the first move and deleted last.
    const journalPut = ddb.commandCalls(PutCommand).findIndex((c) => c.args[0].input.Item?.imageId === '#merge/person-b');
    expect(ddb.commandCalls(PutCommand)[journalPut]?.args[0].input).toMatchObject({
      Item: { into: 'person-a', faceIds: [FACE(3), FACE(4)], fromName: 'Ada' },
      ConditionExpression: 'attribute_not_exists(imageId)',
    });
    expect(ddb.commandCalls(DeleteCommand).at(-1)?.args[0].input.Key).toEqual({ imageId: '#merge/person-b' });
  });

  it('POST /people/{userId}/merge answers 409 while from is being merged into someone else, touching no face', async () => {
    // Prepare
    ddb.on(GetCommand).resolves({});
    ddb.on(GetCommand, { Key: { imageId: '#merge/person-b' } }).resolves({
      Item: { imageId: '#merge/person-b', into: 'person-c', faceIds: [FACE(3)] },
    });
    rekognition.on(ListUsersCommand).resolves(users('person-a', 'person-b', 'person-c'));

    // Act
    const response = await handler(jsonEvent('POST /people/{userId}/merge', { from: 'person-b' }, { userId: 'person-a' }));

    // Assess
    expectDocumented('post', '/people/{userId}/merge', response);
    expect([response.statusCode, JSON.parse(response.body).code]).toEqual([409, 'MergeUnderWay']);
    expect(JSON.parse(response.body).message).toContain('POST /people/person-c/merge with {"from": "person-b"}');
    expect(rekognition).toHaveReceivedCommandTimes(DisassociateFacesCommand, 0);
    expect(rekognition).toHaveReceivedCommandTimes(AssociateFacesCommand, 0);
    expect(rekognition).toHaveReceivedCommandTimes(DeleteUserCommand, 0);
  });

  it('POST /people/{userId}/merge that loses the race to write the journal finishes the same merge begun by the other call', async () => {
    // Prepare: no journal at first; the conditional write fails because the other call wrote it meanwhile.
    const journal = { imageId: '#merge/person-b', into: 'person-a', faceIds: [FACE(3)] };
    ddb.on(GetCommand).resolves({});
    ddb
      .on(GetCommand, { Key: { imageId: '#merge/person-b' } })
      .resolvesOnce({})
      .resolves({ Item: journal });
    ddb.on(PutCommand).rejects(Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' }));
    ddb.on(BatchGetCommand).resolves(names({}));
    ddb.on(DeleteCommand).resolves({});
    rekognition.on(ListUsersCommand).resolves(users('person-a', 'person-b'));
    rekognition.on(ListFacesCommand, { UserId: 'person-b' }).resolves({ Faces: [{ FaceId: FACE(3) }] });
    rekognition.on(ListFacesCommand, { UserId: 'person-a' }).resolves({ Faces: [{ FaceId: FACE(1) }] });
    rekognition.on(DisassociateFacesCommand).resolves({});
    // Rekognition may report a face the other call moved already as belonging to a different user: into itself.
    rekognition.on(AssociateFacesCommand).resolves({
      UnsuccessfulFaceAssociations: [{ FaceId: FACE(3), UserId: 'person-a', Reasons: ['ASSOCIATED_TO_A_DIFFERENT_USER'] }],
    });
    rekognition.on(DeleteUserCommand).rejects(Object.assign(new Error('User not found'), { name: 'ResourceNotFoundException' }));

    // Act
    const response = await handler(jsonEvent('POST /people/{userId}/merge', { from: 'person-b' }, { userId: 'person-a' }));

    // Assess
    expectDocumented('post', '/people/{userId}/merge', response);
    expect(response.statusCode).toBe(200);
    expect(ddb).toHaveReceivedCommandTimes(PutCommand, 1); // the journal only: into has no name to take
    expect(rekognition).toHaveReceivedCommandWith(AssociateFacesCommand, { UserId: 'person-a', FaceIds: [FACE(3)] });
    expect(ddb).toHaveReceivedCommandWith(DeleteCommand, { Key: { imageId: '#merge/person-b' } });
  });

  it('POST /people/{userId}/merge refuses merging a person into themselves', async () => {
    // Act
    const response = await handler(jsonEvent('POST /people/{userId}/merge', { from: 'person-a' }, { userId: 'person-a' }));

    // Assess
    expectDocumented('post', '/people/{userId}/merge', response);
    expect([response.statusCode, JSON.parse(response.body).code]).toEqual([400, 'InvalidPerson']);
  });

  it("GET /people/{userId}/images lists the person's faces with the images they are on", async () => {
    // Prepare
    rekognition.on(ListUsersCommand).resolves(users('person-a'));
    rekognition.on(ListFacesCommand).resolves({
      Faces: [
        {
          FaceId: FACE(1),
          ExternalImageId: externalImageId('picflow-uploads/uploads/x.jpg'),
          BoundingBox: { Left: 0, Top: 0, Width: 0.5, Height: 0.5 },
        },
      ],
    });
    ddb.on(BatchGetCommand).resolves(names({ 'person-a': 'Ada' }));

    // Act
    const response = await handler(apiEvent('GET /people/{userId}/images', { pathParameters: { userId: 'person-a' } }));

    // Assess
    expectDocumented('get', '/people/{userId}/images', response);
    expect(rekognition).toHaveReceivedCommandWith(ListFacesCommand, { CollectionId: 'picflow-faces', UserId: 'person-a' });
    expect(JSON.parse(response.body)).toEqual({
      userId: 'person-a',
      name: 'Ada',
      images: [
        {
          imageId: 'picflow-uploads/uploads/x.jpg',
          key: 'uploads/x.jpg',
          faceId: FACE(1),
          box: { left: 0, top: 0, width: 0.5, height: 0.5 },
        },
      ],
    });
  });

  it('DELETE /people/{userId} deletes the user and the name; an unknown person is 404', async () => {
    // Prepare
    rekognition.on(DeleteUserCommand, { UserId: 'person-a' }).resolves({});
    rekognition
      .on(DeleteUserCommand, { UserId: 'person-z' })
      .rejects(Object.assign(new Error('The user id: person-z does not exist'), { name: 'ResourceNotFoundException' }));
    ddb.on(DeleteCommand).resolves({});

    // Act
    const deleted = await handler(apiEvent('DELETE /people/{userId}', { pathParameters: { userId: 'person-a' } }));
    const unknown = await handler(apiEvent('DELETE /people/{userId}', { pathParameters: { userId: 'person-z' } }));

    // Assess
    expectDocumented('delete', '/people/{userId}', deleted);
    expect(deleted.statusCode).toBe(204);
    expect(ddb).toHaveReceivedCommandWith(DeleteCommand, { Key: { imageId: '#person/person-a' } });
    expectDocumented('delete', '/people/{userId}', unknown);
    expect(unknown.statusCode).toBe(404);
    expect(ddb).toHaveReceivedCommandTimes(DeleteCommand, 1);
  });
});
