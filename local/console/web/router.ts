/**
 * Hash routes: #/ (the library, filters in its query), #/executions, #/executions/NAME, #/images/ID, #/failures, #/upload,
 * #/people (?face=FACE&image=ID: find that face).
 */
import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { page: 'library'; query: string }
  | { page: 'executions'; status?: string }
  | { page: 'execution'; name: string; state?: string }
  | { page: 'image'; imageId: string }
  | { page: 'failures' }
  | { page: 'upload' }
  | { page: 'people'; faceId?: string; imageId?: string };

export function parseRoute(hash: string): Route {
  const [path, query = ''] = hash.replace(/^#/, '').split('?');
  const params = new URLSearchParams(query);
  const parts = path.split('/').filter(Boolean);
  if (parts[0] === 'executions' && parts[1])
    return { page: 'execution', name: decodeURIComponent(parts[1]), state: params.get('state') ?? undefined };
  if (parts[0] === 'images' && parts[1]) return { page: 'image', imageId: decodeURIComponent(parts.slice(1).join('/')) };
  if (parts[0] === 'failures') return { page: 'failures' };
  if (parts[0] === 'upload') return { page: 'upload' };
  if (parts[0] === 'people') return { page: 'people', faceId: params.get('face') ?? undefined, imageId: params.get('image') ?? undefined };
  if (parts[0] === 'executions') return { page: 'executions', status: params.get('status') ?? undefined };
  return { page: 'library', query };
}

export function href(route: Route): string {
  switch (route.page) {
    case 'execution':
      return `#/executions/${encodeURIComponent(route.name)}${route.state ? `?state=${encodeURIComponent(route.state)}` : ''}`;
    case 'image':
      return `#/images/${encodeURIComponent(route.imageId)}`;
    case 'failures':
      return '#/failures';
    case 'upload':
      return '#/upload';
    case 'people': {
      const query = route.faceId && route.imageId ? `?${new URLSearchParams({ face: route.faceId, image: route.imageId })}` : '';
      return `#/people${query}`;
    }
    case 'executions':
      return route.status ? `#/executions?status=${route.status}` : '#/executions';
    default:
      return route.query ? `#/?${route.query}` : '#/';
  }
}

export function navigate(route: Route, replace = false): void {
  const target = href(route);
  if (replace) history.replaceState(null, '', target);
  else location.hash = target;
  if (replace) window.dispatchEvent(new HashChangeEvent('hashchange'));
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const update = (): void => setRoute(parseRoute(location.hash));
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return route;
}
