/** Lambda entry point of the query route: GET /images?status=|label=&minConfidence=|verdict=&from=&to=&limit=&nextToken=. */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { lambdaDeps } from '../../tasks/shared/aws-clients';
import { apiBucket, type ApiDeps } from '../shared/api-config';
import { json, respond, unknownRoute, type ApiResponse } from '../shared/http';
import { readQuery } from './image-query';
import { queryImages } from './query-images';
import { withThumbnailUrls } from './thumbnail-urls';

/** The route, given its configuration and clients (the local runtime calls it with its own). */
export async function run(event: APIGatewayProxyEventV2, deps: ApiDeps): Promise<ApiResponse> {
  return respond(event, async () => {
    if (event.routeKey !== 'GET /images') throw unknownRoute(event);
    const page = await queryImages(readQuery(event), deps.config.tableName, deps.clients.dynamo);
    return json(200, await withThumbnailUrls(page, deps.clients.s3, apiBucket(deps)));
  });
}

/** Lambda entry point: configuration and clients from the function's environment. */
export const handler = (event: APIGatewayProxyEventV2): Promise<ApiResponse> => run(event, lambdaDeps());
