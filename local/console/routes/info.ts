/** GET /api/info (bucket, prefixes, queue) and GET /api/graph (THE definition with its laid-out graph). */
import { layoutDefinition } from '../graph-layout';
import { sendJson } from '../http-responses';
import type { AslDefinitionLite, GraphResponse, InfoResponse } from '../shared/api-types';
import type { ConsoleContext, Route } from './route';

export function infoRoutes({ stack }: ConsoleContext): Route[] {
  // The layout takes a while and the definition never changes while the server runs: computed once.
  let graph: Promise<GraphResponse> | undefined;
  return [
    {
      method: 'GET',
      path: '/api/info',
      handle: ({ res }) => {
        const info: InfoResponse = {
          bucket: stack.bucket,
          uploadPrefix: stack.uploadPrefix,
          tableName: stack.tableName,
          queueUrl: stack.queueUrl,
          dataDir: stack.dataDir,
        };
        sendJson(res, 200, info);
      },
    },
    {
      method: 'GET',
      path: '/api/graph',
      handle: async ({ res }) => {
        const definition = stack.machine.definition as unknown as AslDefinitionLite;
        graph ??= layoutDefinition(definition).then((layout) => ({ definition, layout }));
        sendJson(res, 200, await graph);
      },
    },
  ];
}
