// The local API's request → API Gateway payload 2.0 event: which route a request matches (the greedy
// {imageId+} included), the query string raw and as parameters, headers, and bodies text or base64.
import openapi from '../../../api/openapi.json';
import { API_ROUTES, matchRoute, v2Event, type EventRequest } from '../../../local/api/v2-event';

const request = (parts: Partial<EventRequest>): EventRequest => ({
  method: 'GET',
  url: '/images',
  headers: { host: '127.0.0.1:4571' },
  body: Buffer.alloc(0),
  sourceIp: '127.0.0.1',
  ...parts,
});

describe('matchRoute', () => {
  it.each([
    ['POST', '/uploads', { routeKey: 'POST /uploads' }],
    ['POST', '/images', { routeKey: 'POST /images' }],
    ['GET', '/images', { routeKey: 'GET /images' }],
    [
      'GET',
      '/images/picflow-local/uploads/a.png',
      { routeKey: 'GET /images/{imageId+}', pathParameters: { imageId: 'picflow-local/uploads/a.png' } },
    ],
    [
      'DELETE',
      '/images/picflow-local%2Fuploads%2Fa.png',
      { routeKey: 'DELETE /images/{imageId+}', pathParameters: { imageId: 'picflow-local%2Fuploads%2Fa.png' } },
    ],
    ['get', '/images/x', { routeKey: 'GET /images/{imageId+}', pathParameters: { imageId: 'x' } }],
  ])('%s %s matches its route', (method, path, expected) => {
    expect(matchRoute(method, path)).toEqual(expected);
  });

  it.each([
    ['DELETE', '/images'],
    ['GET', '/images/'],
    ['GET', '/uploads'],
    ['PUT', '/images/x'],
    ['GET', '/imagesx'],
    ['POST', '/uploads/extra'],
    ['GET', '/'],
  ])('%s %s matches no route', (method, path) => {
    expect(matchRoute(method, path)).toBeUndefined();
  });

  it('matches a single-segment parameter only within its segment', () => {
    expect(matchRoute('GET', '/a/b/c', ['GET /a/{id}'])).toBeUndefined();
    expect(matchRoute('GET', '/a/b', ['GET /a/{id}'])).toEqual({ routeKey: 'GET /a/{id}', pathParameters: { id: 'b' } });
  });

  it('serves exactly the operations of the OpenAPI document (its {imageId} is the greedy {imageId+})', () => {
    // Prepare
    const paths = openapi.paths as Record<string, Record<string, unknown>>;
    const documented = Object.entries(paths).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((method) => ['get', 'post', 'put', 'delete', 'patch'].includes(method))
        .map((method) => `${method.toUpperCase()} ${path.replace('{imageId}', '{imageId+}')}`),
    );

    // Assess
    expect([...API_ROUTES].sort()).toEqual(documented.sort());
  });
});

describe('v2Event', () => {
  it('keeps the raw query string and joins a repeated key with commas, decoded', () => {
    // Act
    const event = v2Event(request({ url: '/images?label=Dog&label=Hot%20Dog&limit=2' }), { routeKey: 'GET /images' });

    // Assess
    expect(event.rawPath).toBe('/images');
    expect(event.rawQueryString).toBe('label=Dog&label=Hot%20Dog&limit=2');
    expect(event.queryStringParameters).toEqual({ label: 'Dog,Hot Dog', limit: '2' });
  });

  it('has no queryStringParameters without a query, and the route, path parameters and request context', () => {
    // Act
    const event = v2Event(
      request({ method: 'delete', url: '/images/b/uploads/a.png', headers: { host: '127.0.0.1:4571', 'user-agent': 'curl/8' } }),
      {
        routeKey: 'DELETE /images/{imageId+}',
        pathParameters: { imageId: 'b/uploads/a.png' },
      },
      new Date('2026-11-27T14:05:09.123Z'),
    );

    // Assess
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'DELETE /images/{imageId+}',
      rawQueryString: '',
      pathParameters: { imageId: 'b/uploads/a.png' },
      isBase64Encoded: false,
    });
    expect(event.queryStringParameters).toBeUndefined();
    expect(event.body).toBeUndefined();
    expect(event.requestContext).toMatchObject({
      routeKey: 'DELETE /images/{imageId+}',
      http: { method: 'DELETE', path: '/images/b/uploads/a.png', sourceIp: '127.0.0.1', userAgent: 'curl/8' },
      time: '27/Nov/2026:14:05:09 +0000',
      timeEpoch: Date.parse('2026-11-27T14:05:09.123Z'),
    });
    expect(event.requestContext.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('base64-encodes a binary body and says so; passes JSON as text', () => {
    // Prepare
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff]);

    // Act
    const binary = v2Event(request({ method: 'POST', headers: { 'content-type': 'image/png' }, body: png }), { routeKey: 'POST /images' });
    const json = v2Event(
      request({
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: Buffer.from('{"contentType":"image/png"}'),
      }),
      { routeKey: 'POST /uploads' },
    );

    // Assess
    expect(binary).toMatchObject({ isBase64Encoded: true, body: png.toString('base64') });
    expect(json).toMatchObject({ isBase64Encoded: false, body: '{"contentType":"image/png"}' });
  });

  it('lower-cases header names, joins repeated values, and moves cookies to their own list', () => {
    // Act
    const event = v2Event(
      request({ headers: { Host: '127.0.0.1:4571', 'X-Many': ['a', 'b'], cookie: 'a=1; b=2' } as unknown as EventRequest['headers'] }),
      { routeKey: 'GET /images' },
    );

    // Assess
    expect(event.headers).toEqual({ host: '127.0.0.1:4571', 'x-many': 'a,b' });
    expect(event.cookies).toEqual(['a=1', 'b=2']);
  });
});
