/** Lambda entry point of the upload routes: POST /uploads (presigned POST) and POST /images (image in the body). */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { lambdaDeps } from '../../tasks/shared/aws-clients';
import { apiBucket, type ApiDeps } from '../shared/api-config';
import { json, jsonBody, respond, unknownRoute, type ApiResponse } from '../shared/http';
import { createUpload } from './create-upload';
import { storeUpload } from './store-upload';

/** The routes, given their configuration and clients (the local runtime calls them with its own). */
export async function run(event: APIGatewayProxyEventV2, deps: ApiDeps): Promise<ApiResponse> {
  return respond(event, async () => {
    const config = { ...deps.config, bucket: apiBucket(deps) };
    switch (event.routeKey) {
      case 'POST /uploads':
        return json(201, await createUpload(jsonBody(event), config, deps.clients.s3));
      case 'POST /images':
        return json(202, await storeUpload(event, config, deps.clients.s3));
      default:
        throw unknownRoute(event);
    }
  });
}

/** Lambda entry point: configuration and clients from the function's environment. */
export const handler = (event: APIGatewayProxyEventV2): Promise<ApiResponse> => run(event, lambdaDeps());
