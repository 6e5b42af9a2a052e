/** Lambda entry point of the one-image routes: GET and DELETE /images/{imageId+}. */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { dynamoClient, s3Client } from '../../tasks/shared/aws-clients';
import { loadConfig } from '../../tasks/shared/config';
import { apiBucket } from '../shared/api-config';
import { json, noContent, respond, unknownRoute, type ApiResponse } from '../shared/http';
import { deleteImage } from './delete-image';
import { getImage } from './get-image';
import { imageIdFrom } from './image-id';

export async function handler(event: APIGatewayProxyEventV2): Promise<ApiResponse> {
  return respond(event, async () => {
    const config = loadConfig();
    const clients = { dynamo: dynamoClient(), s3: s3Client() };
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
