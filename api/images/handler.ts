/** Lambda entry point of the one-image routes: GET and DELETE /images/{imageId+}. */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { lambdaDeps, type TaskDeps } from '../../tasks/shared/aws-clients';
import { apiBucket } from '../shared/api-config';
import { json, noContent, respond, unknownRoute, type ApiResponse } from '../shared/http';
import { deleteImage } from './delete-image';
import { getImage } from './get-image';
import { imageIdFrom } from './image-id';

/** The routes, given their configuration and clients (the local runtime calls them with its own). */
export async function run(event: APIGatewayProxyEventV2, { config, clients }: TaskDeps): Promise<ApiResponse> {
  return respond(event, async () => {
    const image = () => imageIdFrom(event, { bucket: apiBucket(), uploadPrefix: config.uploadPrefix });
    switch (event.routeKey) {
      case 'GET /images/{imageId+}':
        return json(200, await getImage(image(), config.tableName, clients));
      case 'DELETE /images/{imageId+}':
        await deleteImage(image(), config.tableName, clients);
        return noContent();
      default:
        throw unknownRoute(event);
    }
  });
}

/** Lambda entry point: configuration and clients from the function's environment. */
export const handler = (event: APIGatewayProxyEventV2): Promise<ApiResponse> => run(event, lambdaDeps());
