/**
 * The library (home page): every image as a card (thumbnail, faces, top labels, moderation), newest
 * first, from GET /api/v1/images a page at a time. Filters live in the URL. Only the rows of cards in
 * view are rendered (virtual scrolling), so 10,000 images cost what a screenful does.
 */
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { apiQuery, filtersFromParams, filtersToParams, type LibraryFilters } from '../../shared/library-filters';
import { viaConsole } from '../api';
import { StatusBadge } from '../components/badges';
import { useFeed } from '../feed';
import { fileName, formatTime } from '../format';
import { href, navigate } from '../router';

/** A row of GET /images (api/openapi.json ImageRow). */
interface LibraryRow {
  imageId: string;
  key: string;
  uploadedAt: string;
  status?: string;
  faceCount?: number;
  labels?: string[];
  verdict?: string;
  thumbnailUrl?: string;
}

const PAGE_SIZE = 60;
const CARD_WIDTH = 208;
const ROW_HEIGHT = 276;
const GAP = 14;
/** Rows rendered above and below the visible ones, so a fast scroll does not show blanks. */
const OVERSCAN_ROWS = 2;

export function LibraryPage({ query }: { query: string }) {
  const filters = filtersFromParams(new URLSearchParams(query));
  const filterKey = filtersToParams(filters).toString();
  const [rows, setRows] = useState<LibraryRow[]>([]);
  const [nextToken, setNextToken] = useState<string | undefined>(undefined);
  const [done, setDone] = useState(false);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const generation = useRef(0);

  const loadPage = useCallback(
    async (token: string | undefined, reset: boolean): Promise<void> => {
      const mine = generation.current;
      setLoading(true);
      try {
        const { params, rest } = apiQuery(filters, { limit: PAGE_SIZE, nextToken: token });
        const response = await fetch(`/api/v1/images?${params}`).catch(() => {
          throw new Error('The console server is not answering: is picflow dev still running?');
        });
        const body = (await response.json().catch(() => ({}))) as { images?: LibraryRow[]; nextToken?: string; message?: string };
        if (!response.ok) throw new Error(body.message ?? `${response.status} ${response.statusText}`);
        if (mine !== generation.current) return;
        const kept = (body.images ?? []).filter(rest);
        setRows((list) => (reset ? kept : [...list, ...kept]));
        setNextToken(body.nextToken);
        setDone(!body.nextToken);
        setError(undefined);
      } catch (e) {
        if (mine === generation.current) setError((e as Error).message);
      } finally {
        if (mine === generation.current) setLoading(false);
      }
    },
    [filterKey],
  );

  const reload = useCallback(() => {
    generation.current += 1;
    setRows([]);
    setNextToken(undefined);
    setDone(false);
    void loadPage(undefined, true);
  }, [loadPage]);
  useEffect(reload, [reload]);

  // New results appear when executions end, if the user is still at the top (never yank a scrolled list).
  const refreshTimer = useRef<number | undefined>(undefined);
  useFeed((execution) => {
    if (execution.status === 'QUEUED' || execution.status === 'RUNNING' || window.scrollY > 200) return;
    window.clearTimeout(refreshTimer.current);
    refreshTimer.current = window.setTimeout(reload, 800);
  });
  useEffect(() => () => window.clearTimeout(refreshTimer.current), []);

  const grid = useRef<HTMLDivElement>(null);
  const [view, setView] = useState({ columns: 1, first: 0, last: 0 });
  const measure = useCallback(() => {
    const element = grid.current;
    if (!element) return;
    const width = element.clientWidth;
    const columns = Math.max(1, Math.floor((width + GAP) / (CARD_WIDTH + GAP)));
    const top = element.getBoundingClientRect().top;
    const first = Math.max(0, Math.floor(-top / ROW_HEIGHT) - OVERSCAN_ROWS);
    const last = Math.ceil((window.innerHeight - top) / ROW_HEIGHT) + OVERSCAN_ROWS;
    setView((v) => (v.columns === columns && v.first === first && v.last === last ? v : { columns, first, last }));
  }, []);
  useLayoutEffect(() => {
    measure();
    let frame = 0;
    const onScroll = (): void => {
      if (frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        measure();
      });
    };
    window.addEventListener('scroll', onScroll, { passive: true });
    window.addEventListener('resize', onScroll);
    return () => {
      window.removeEventListener('scroll', onScroll);
      window.removeEventListener('resize', onScroll);
      cancelAnimationFrame(frame);
    };
  }, [measure]);

  const totalRows = Math.ceil(rows.length / view.columns);
  // Infinite scroll: fetch the next page once the visible rows come near the end of what is loaded.
  useEffect(() => {
    if (!loading && !done && !error && nextToken && view.last >= totalRows - OVERSCAN_ROWS) void loadPage(nextToken, false);
  }, [loading, done, error, nextToken, view.last, totalRows, loadPage]);

  const setFilters = (next: LibraryFilters): void => navigate({ page: 'library', query: filtersToParams(next).toString() });
  const visible = rows.slice(view.first * view.columns, Math.min(rows.length, (view.last + 1) * view.columns));

  return (
    <section class="page library-page">
      <div class="page-head">
        <h1>Library</h1>
        <FilterBar filters={filters} onChange={setFilters} />
      </div>
      {error && <div class="alert error">{error}</div>}
      <div
        class="library-grid"
        ref={grid}
        data-testid="library"
        data-count={rows.length}
        style={{ height: `${Math.max(0, totalRows * ROW_HEIGHT - GAP)}px` }}
      >
        {visible.map((row, i) => {
          const index = view.first * view.columns + i;
          const top = Math.floor(index / view.columns) * ROW_HEIGHT;
          const left = (index % view.columns) * (CARD_WIDTH + GAP);
          return <ImageCard key={row.imageId} row={row} style={{ top: `${top}px`, left: `${left}px` }} />;
        })}
      </div>
      {rows.length === 0 && !loading && !error && (
        <p class="empty card">
          {filterKey ? 'No images match these filters.' : 'No images yet.'} <a href={href({ page: 'upload' })}>Upload images</a>
        </p>
      )}
      {loading && <p class="empty">Loading…</p>}
    </section>
  );
}

function ImageCard({ row, style }: { row: LibraryRow; style: Record<string, string> }) {
  const [broken, setBroken] = useState(false);
  const picture = row.thumbnailUrl && !broken;
  return (
    <a class="image-card" href={href({ page: 'image', imageId: row.imageId })} style={style} data-image={row.imageId}>
      <div class="thumb">
        {picture ? (
          <img
            src={viaConsole(row.thumbnailUrl!)}
            alt={fileName(row.imageId)}
            loading="lazy"
            decoding="async"
            onError={() => setBroken(true)}
          />
        ) : (
          <div class="thumb-placeholder" data-testid="thumb-placeholder">
            {row.status === 'PROCESSING' || !row.status ? 'Analysing…' : 'No thumbnail'}
          </div>
        )}
        {row.verdict && row.verdict !== 'safe' && (
          <span class={`chip verdict-${row.verdict}`} data-testid="verdict">
            {row.verdict}
          </span>
        )}
      </div>
      <div class="meta">
        <div class="name" title={row.key}>
          {fileName(row.imageId)}
        </div>
        <div class="facts">
          {row.status && <StatusBadge status={row.status} />}
          {row.faceCount !== undefined && (
            <span class="faces" data-testid="faces">
              {row.faceCount} {row.faceCount === 1 ? 'face' : 'faces'}
            </span>
          )}
        </div>
        <div class="labels" data-testid="labels">
          {(row.labels ?? []).join(' · ') || '\u00a0'}
        </div>
        <div class="when">{formatTime(row.uploadedAt)}</div>
      </div>
    </a>
  );
}

const STATUSES = ['SUCCEEDED', 'PARTIAL', 'FAILED', 'PROCESSING'];
const VERDICTS = ['safe', 'suggestive', 'explicit', 'unavailable'];

/** Search and filters; a label is applied on Enter or when the field loses focus, the rest at once. */
function FilterBar({ filters, onChange }: { filters: LibraryFilters; onChange: (next: LibraryFilters) => void }) {
  const [label, setLabel] = useState(filters.label ?? '');
  useEffect(() => setLabel(filters.label ?? ''), [filters.label]);
  const applyLabel = (): void => {
    if ((filters.label ?? '') !== label.trim()) onChange({ ...filters, label: label.trim() || undefined });
  };
  return (
    <form
      class="filters"
      onSubmit={(e) => {
        e.preventDefault();
        applyLabel();
      }}
    >
      <input
        type="search"
        placeholder="Label, e.g. dog"
        aria-label="Label"
        data-testid="filter-label"
        value={label}
        onInput={(e) => setLabel((e.target as HTMLInputElement).value)}
        onBlur={applyLabel}
      />
      <button type="submit" data-testid="filter-search">
        Search
      </button>
      <label>
        ≥
        <input
          type="number"
          min={0}
          max={100}
          step={5}
          aria-label="Minimum label confidence (%)"
          data-testid="filter-min"
          value={filters.min ?? ''}
          disabled={!filters.label}
          onChange={(e) => onChange({ ...filters, min: Number((e.target as HTMLInputElement).value) || undefined })}
        />
        %
      </label>
      <select
        aria-label="Status"
        data-testid="filter-status"
        value={filters.status ?? ''}
        onChange={(e) => onChange({ ...filters, status: (e.target as HTMLSelectElement).value || undefined })}
      >
        <option value="">Any status</option>
        {STATUSES.map((s) => (
          <option key={s} value={s}>
            {s.charAt(0) + s.slice(1).toLowerCase()}
          </option>
        ))}
      </select>
      <select
        aria-label="Moderation verdict"
        data-testid="filter-verdict"
        value={filters.verdict ?? ''}
        onChange={(e) => onChange({ ...filters, verdict: (e.target as HTMLSelectElement).value || undefined })}
      >
        <option value="">Any verdict</option>
        {VERDICTS.map((v) => (
          <option key={v} value={v}>
            {v}
          </option>
        ))}
      </select>
      <input
        type="date"
        aria-label="Uploaded from"
        data-testid="filter-from"
        value={filters.from ?? ''}
        onChange={(e) => onChange({ ...filters, from: (e.target as HTMLInputElement).value || undefined })}
      />
      <input
        type="date"
        aria-label="Uploaded until"
        data-testid="filter-to"
        value={filters.to ?? ''}
        onChange={(e) => onChange({ ...filters, to: (e.target as HTMLInputElement).value || undefined })}
      />
    </form>
  );
}
