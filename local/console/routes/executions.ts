/**
 * GET /api/executions (one page, newest first, filtered by status, image and start; nextCursor for the
 * next), GET /api/executions/NAME (one execution with its full history) and GET /api/events (the live stream).
 */
import { InvalidCursorError, MAX_PAGE_SIZE } from '../../engine/execution-index';
import { HttpError, sendJson } from '../http-responses';
import {
  type ConsoleStatus,
  EXECUTION_STATUSES,
  type ExecutionDetail,
  type ExecutionsResponse,
  type HistoryEvent,
} from '../shared/api-types';
import type { ConsoleContext, Route } from './route';

const EXECUTION_NAME = /^[A-Za-z0-9_-]{1,80}$/;

export function executionRoutes({ stack, events }: ConsoleContext): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/executions',
      handle: async ({ res, url }) => {
        const wanted = parseStatuses(url.searchParams.get('status'));
        // QUEUED is RUNNING in the store (still waiting for a slot): read RUNNING, keep what is shown as asked.
        const statuses = wanted && new Set([...wanted].map((s) => (s === 'QUEUED' ? 'RUNNING' : s)));
        const imageId = url.searchParams.get('imageId');
        const since = url.searchParams.get('since');
        if (since !== null && Number.isNaN(Date.parse(since))) throw new HttpError(400, 'since must be a date');
        const limitText = url.searchParams.get('limit');
        if (limitText !== null && !/^[1-9][0-9]{0,3}$/.test(limitText)) throw new HttpError(400, `limit must be 1 to ${MAX_PAGE_SIZE}`);
        const limit = limitText === null ? undefined : Number(limitText);
        if (limit !== undefined && limit > MAX_PAGE_SIZE) throw new HttpError(400, `limit must be 1 to ${MAX_PAGE_SIZE}`);
        const page = await stack.store
          .page({
            statuses: statuses && [...statuses],
            imageId: imageId ?? undefined,
            since: since ?? undefined,
            limit,
            cursor: url.searchParams.get('cursor') ?? undefined,
          })
          .catch((error: unknown) => {
            throw error instanceof InvalidCursorError ? new HttpError(400, error.message) : error;
          });
        // A running execution's retries grow between saves: the live record has them.
        const response: ExecutionsResponse = {
          executions: page.executions.map((s) => events.summary(s)).filter((s) => !wanted || wanted.has(s.status)),
          nextCursor: page.nextCursor,
        };
        sendJson(res, 200, response);
      },
    },
    {
      method: 'GET',
      path: /^\/api\/executions\/([^/]+)$/,
      handle: ({ res, params: [name] }) => {
        if (!EXECUTION_NAME.test(name)) throw new HttpError(400, 'not an execution name');
        const record = events.live.get(name) ?? stack.store.get(name);
        if (!record) throw new HttpError(404, `no execution ${name}`);
        const body: ExecutionDetail = {
          ...events.summary(record),
          input: record.input,
          output: record.output,
          events: record.events as HistoryEvent[],
        };
        sendJson(res, 200, body);
      },
    },
    {
      method: 'GET',
      path: '/api/events',
      handle: ({ req, res, url }) => {
        const execution = url.searchParams.get('execution') ?? undefined;
        if (execution !== undefined && !EXECUTION_NAME.test(execution)) throw new HttpError(400, 'not an execution name');
        events.open(req, res, execution);
      },
    },
  ];
}

const STATUSES: readonly ConsoleStatus[] = ['QUEUED', ...EXECUTION_STATUSES];

function parseStatuses(value: string | null): Set<ConsoleStatus> | undefined {
  if (value === null || value === '' || value === 'ALL') return undefined;
  const statuses = value.split(',').map((s) => s.trim().toUpperCase());
  for (const s of statuses)
    if (!(STATUSES as readonly string[]).includes(s)) throw new HttpError(400, `status must be one of ${STATUSES.join(', ')}`);
  return new Set(statuses as ConsoleStatus[]);
}
