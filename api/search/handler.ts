/** Lambda entry point of the query route: GET /images?status=|label=&minConfidence=|verdict=&from=&to=&limit=&nextToken=. */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { dynamoClient } from '../../tasks/shared/aws-clients';
import { loadConfig } from '../../tasks/shared/config';
import { json, respond, unknownRoute, type ApiResponse } from '../shared/http';
import { readQuery } from './image-query';
import { queryImages } from './query-images';

export async function handler(event: APIGatewayProxyEventV2): Promise<ApiResponse> {
  return respond(event, async () => {
    if (event.routeKey !== 'GET /images') throw unknownRoute(event);
    return json(200, await queryImages(readQuery(event), loadConfig().tableName, dynamoClient()));
  });
}
