/** Lambda entry point of the upload routes: POST /uploads (presigned POST) and POST /images (image in the body). */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { s3Client } from '../../tasks/shared/aws-clients';
import { loadConfig } from '../../tasks/shared/config';
import { apiBucket } from '../shared/api-config';
import { json, jsonBody, respond, unknownRoute, type ApiResponse } from '../shared/http';
import { createUpload } from './create-upload';
import { storeUpload } from './store-upload';

export async function handler(event: APIGatewayProxyEventV2): Promise<ApiResponse> {
  return respond(event, async () => {
    const config = { ...loadConfig(), bucket: apiBucket() };
    switch (event.routeKey) {
      case 'POST /uploads':
        return json(201, await createUpload(jsonBody(event), config, s3Client()));
      case 'POST /images':
        return json(202, await storeUpload(event, config, s3Client()));
      default:
        throw unknownRoute(event);
    }
  });
}
