/** What a console API route is: a method, a path (exact, or a pattern whose groups become `params`), a handler. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LocalStack } from '../../stack/local-stack';
import type { EventStream } from '../event-stream';

/** What every route may use: the stack it shows, and the console's live view of the engine. */
export interface ConsoleContext {
  stack: LocalStack;
  events: EventStream;
  /** Key prefixes /api/objects serves: uploads, thumbnails, normalized copies. */
  readablePrefixes: string[];
}

export interface RouteRequest {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** The path pattern's groups, URL-decoded. */
  params: string[];
}

export interface Route {
  method: 'GET' | 'POST';
  path: string | RegExp;
  handle(request: RouteRequest): Promise<void> | void;
}

/** The route for this method and path, with its path parameters; undefined when none matches. */
export function findRoute(routes: readonly Route[], method: string, path: string): { route: Route; params: string[] } | undefined {
  for (const route of routes) {
    if (route.method !== method) continue;
    if (typeof route.path === 'string') {
      if (route.path === path) return { route, params: [] };
      continue;
    }
    const match = route.path.exec(path);
    if (match) return { route, params: match.slice(1).map((p) => decodeURIComponent(p)) };
  }
  return undefined;
}
