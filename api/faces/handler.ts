/** Lambda entry point of the face routes: POST /faces/search and the people routes (/people...). */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { lambdaDeps } from '../../tasks/shared/aws-clients';
import type { ApiDeps } from '../shared/api-config';
import { json, jsonBody, noContent, respond, unknownRoute, type ApiResponse } from '../shared/http';
import { createPerson, deletePerson, listPeople, mergePeople, personImages, renamePerson, userIdParam } from './people';
import { searchFaces } from './search-faces';

/** The routes, given their configuration and clients (the local runtime calls them with its own). */
export async function run(event: APIGatewayProxyEventV2, deps: ApiDeps): Promise<ApiResponse> {
  return respond(event, async () => {
    const userId = () => userIdParam(event.pathParameters?.userId);
    switch (event.routeKey) {
      case 'POST /faces/search':
        return json(200, await searchFaces(event, deps));
      case 'GET /people':
        return json(200, await listPeople(event.queryStringParameters ?? {}, deps));
      case 'POST /people':
        return json(201, await createPerson(jsonBody(event), deps));
      case 'PATCH /people/{userId}':
        return json(200, await renamePerson(userId(), jsonBody(event), deps));
      case 'POST /people/{userId}/merge':
        return json(200, await mergePeople(userId(), jsonBody(event), deps));
      case 'GET /people/{userId}/images':
        return json(200, await personImages(userId(), deps));
      case 'DELETE /people/{userId}':
        await deletePerson(userId(), deps);
        return noContent();
      default:
        throw unknownRoute(event);
    }
  });
}

/** Lambda entry point: configuration and clients from the function's environment. */
export const handler = (event: APIGatewayProxyEventV2): Promise<ApiResponse> => run(event, lambdaDeps());
