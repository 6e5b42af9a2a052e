/** Lambda entry point of GET /openapi.json: the API's own contract (api/openapi.json, bundled into the function). */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import document from '../openapi.json';
import { json, respond, unknownRoute, type ApiResponse } from '../shared/http';

export async function run(event: APIGatewayProxyEventV2): Promise<ApiResponse> {
  return respond(event, async () => {
    if (event.routeKey !== 'GET /openapi.json') throw unknownRoute(event);
    return json(200, document);
  });
}

export const handler = (event: APIGatewayProxyEventV2): Promise<ApiResponse> => run(event);
