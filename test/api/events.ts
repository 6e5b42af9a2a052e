// API Gateway HTTP API (payload 2.0) events, as API Gateway sends them to the handlers.
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

export function apiEvent(routeKey: string, parts: Partial<APIGatewayProxyEventV2> = {}): APIGatewayProxyEventV2 {
  const [method, path] = routeKey.split(' ');
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: '',
    headers: {},
    isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.example.com',
      domainPrefix: 'api',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      requestId: 'req-1',
      routeKey,
      stage: '$default',
      time: '01/May/2024:10:00:00 +0000',
      timeEpoch: 0,
    },
    ...parts,
  };
}
