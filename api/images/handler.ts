/** Lambda entry point of the one-image routes: GET and DELETE /images/{imageId+}. */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { lambdaDeps } from '../../tasks/shared/aws-clients';
import { apiBucket, type ApiDeps } from '../shared/api-config';
import { json, noContent, respond, unknownRoute, type ApiResponse } from '../shared/http';
import { deleteImage } from './delete-image';
import { getImage } from './get-image';
import { imageIdFrom } from './image-id';

/** The routes, given their configuration and clients (the local runtime calls them with its own). */
export async function run(event: APIGatewayProxyEventV2, deps: ApiDeps): Promise<ApiResponse> {
  return respond(event, async () => {
    const image = () => imageIdFrom(event, { bucket: apiBucket(deps), uploadPrefix: deps.config.uploadPrefix });
    switch (event.routeKey) {
      case 'GET /images/{imageId+}':
        return json(200, await getImage(image(), deps.config.tableName, deps.clients));
      case 'DELETE /images/{imageId+}':
        await deleteImage(image(), deps.config.tableName, deps.clients, { faceCollectionId: deps.config.faceCollectionId });
        return noContent();
      default:
        throw unknownRoute(event);
    }
  });
}

/** Lambda entry point: configuration and clients from the function's environment. */
export const handler = (event: APIGatewayProxyEventV2): Promise<ApiResponse> => run(event, lambdaDeps());
