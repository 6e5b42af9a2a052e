/**
 * The library view's filters: read from and written to the page URL (so back/forward and links work),
 * and turned into one GET /api/v1/images query. The API filters by one of label, verdict or status at a
 * time: the most selective chosen one goes to the API, the others are applied to the rows it returns
 * (each row carries its status and verdict). No DOM or Node types: the web app and the tests use it.
 */

export interface LibraryFilters {
  label?: string;
  /** Label confidence at least this, in percent (with `label`). */
  min?: number;
  status?: string;
  verdict?: string;
  /** Days, `YYYY-MM-DD`, inclusive, in UTC. */
  from?: string;
  to?: string;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function filtersFromParams(params: URLSearchParams): LibraryFilters {
  const text = (name: string) => params.get(name)?.trim() || undefined;
  const min = Number(params.get('min'));
  const day = (name: string) => (DAY.test(params.get(name) ?? '') ? params.get(name)! : undefined);
  return compact({
    label: text('label'),
    min: params.has('min') && Number.isFinite(min) && min > 0 && min <= 100 ? min : undefined,
    status: text('status')?.toUpperCase(),
    verdict: text('verdict')?.toLowerCase(),
    from: day('from'),
    to: day('to'),
  });
}

/** The filters as a query string in a fixed order (one URL per set of filters); empty when none. */
export function filtersToParams(filters: LibraryFilters): URLSearchParams {
  const params = new URLSearchParams();
  for (const name of ['label', 'min', 'status', 'verdict', 'from', 'to'] as const) {
    const value = filters[name];
    if (value !== undefined && value !== '' && !(name === 'min' && !filters.label)) params.set(name, String(value));
  }
  return params;
}

/** What one GET /images page asks for; `rest` is applied to the rows. */
export function apiQuery(
  filters: LibraryFilters,
  page: { limit: number; nextToken?: string },
): { params: URLSearchParams; rest: (row: { status?: string; verdict?: string }) => boolean } {
  const params = new URLSearchParams();
  let server: 'label' | 'verdict' | 'status' | undefined;
  if (filters.label) {
    server = 'label';
    params.set('label', filters.label);
    if (filters.min) params.set('minConfidence', String(filters.min));
  } else if (filters.verdict) {
    server = 'verdict';
    params.set('verdict', filters.verdict);
  } else if (filters.status) {
    server = 'status';
    params.set('status', filters.status);
  }
  if (filters.from) params.set('from', `${filters.from}T00:00:00.000Z`);
  if (filters.to) params.set('to', `${filters.to}T23:59:59.999Z`);
  params.set('limit', String(page.limit));
  if (page.nextToken) params.set('nextToken', page.nextToken);
  const rest = (row: { status?: string; verdict?: string }): boolean =>
    (server === 'status' || !filters.status || row.status === filters.status) &&
    (server === 'verdict' || !filters.verdict || row.verdict === filters.verdict);
  return { params, rest };
}

function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
