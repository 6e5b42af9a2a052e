/** Lambda entry point of the query route: GET /images?status=|label=&minConfidence=|verdict=&from=&to=&limit=&nextToken=. */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { lambdaDeps, type TaskDeps } from '../../tasks/shared/aws-clients';
import { json, respond, unknownRoute, type ApiResponse } from '../shared/http';
import { readQuery } from './image-query';
import { queryImages } from './query-images';

/** The route, given its configuration and clients (the local runtime calls it with its own). */
export async function run(event: APIGatewayProxyEventV2, { config, clients }: TaskDeps): Promise<ApiResponse> {
  return respond(event, async () => {
    if (event.routeKey !== 'GET /images') throw unknownRoute(event);
    return json(200, await queryImages(readQuery(event), config.tableName, clients.dynamo));
  });
}

/** Lambda entry point: configuration and clients from the function's environment. */
export const handler = (event: APIGatewayProxyEventV2): Promise<ApiResponse> => run(event, lambdaDeps());
