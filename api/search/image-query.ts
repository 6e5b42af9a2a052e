/** GET /images: reads the query string into one index query (which index, which partitions, which time range). */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import {
  LABEL_TIME_INDEX,
  labelPartitions,
  STATUS_TIME_INDEX,
  statusPartitions,
  VERDICT_TIME_INDEX,
  verdictPartitions,
} from '../../tasks/shared/image-indexes';
import type { ImageStatus, ModerationVerdict } from '../../tasks/shared/types';
import { badRequest } from '../shared/http';

export const STATUSES: readonly ImageStatus[] = ['PROCESSING', 'SUCCEEDED', 'PARTIAL', 'FAILED'];
export const VERDICTS: readonly ModerationVerdict[] = ['safe', 'suggestive', 'explicit', 'unavailable'];
export const DEFAULT_LIMIT = 25;
export const MAX_LIMIT = 100;

export interface IndexQuery {
  index: { name: string; partitionKey: string; sortKey: string };
  /** Partitions read and merged, newest first. */
  partitions: string[];
  from?: string;
  to?: string;
  /** Labels only: entries under this confidence (in the lowest band read) are left out. */
  minConfidence?: number;
  limit: number;
  nextToken?: string;
}

export function readQuery(event: APIGatewayProxyEventV2): IndexQuery {
  const q = event.queryStringParameters ?? {};
  const chosen = (['status', 'label', 'verdict'] as const).filter((name) => q[name] !== undefined);
  if (chosen.length > 1) {
    throw badRequest(
      'TooManyFilters',
      `Filter by one of status, label or verdict at a time (got ${chosen.join(' and ')}); combine it with from and to.`,
    );
  }
  const range = { from: time(q.from, 'from'), to: time(q.to, 'to') };
  if (range.from && range.to && range.from > range.to)
    throw badRequest('InvalidTimeRange', `"from" (${q.from}) is after "to" (${q.to}); swap them.`);
  const limit = q.limit === undefined ? DEFAULT_LIMIT : Number(q.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
    throw badRequest('InvalidLimit', `Set "limit" to a whole number from 1 to ${MAX_LIMIT} (got "${q.limit}").`);
  const common = { ...range, limit, ...(q.nextToken ? { nextToken: q.nextToken } : {}) };
  if (q.label !== undefined) {
    const label = q.label.trim();
    if (!label || label.length > 200) throw badRequest('InvalidLabel', 'Set "label" to a label name such as Dog (1 to 200 characters).');
    const min = q.minConfidence === undefined ? 0 : Number(q.minConfidence);
    if (!Number.isFinite(min) || min < 0 || min > 100)
      throw badRequest('InvalidMinConfidence', `Set "minConfidence" to a percentage from 0 to 100 (got "${q.minConfidence}").`);
    return { index: LABEL_TIME_INDEX, partitions: labelPartitions(label, min), minConfidence: min, ...common };
  }
  if (q.minConfidence !== undefined)
    throw badRequest('MinConfidenceWithoutLabel', 'Use "minConfidence" together with "label", e.g. label=Dog&minConfidence=80.');
  if (q.verdict !== undefined) {
    const verdict = q.verdict.toLowerCase() as ModerationVerdict;
    if (!VERDICTS.includes(verdict))
      throw badRequest('InvalidVerdict', `Set "verdict" to one of ${VERDICTS.join(', ')} (got "${q.verdict}").`);
    return { index: VERDICT_TIME_INDEX, partitions: verdictPartitions(verdict), ...common };
  }
  const statuses = q.status === undefined ? STATUSES : [q.status.toUpperCase() as ImageStatus];
  if (!STATUSES.includes(statuses[0]))
    throw badRequest('InvalidStatus', `Set "status" to one of ${STATUSES.join(', ')} (got "${q.status}").`);
  // No filter: every status, i.e. every image, newest first.
  return { index: STATUS_TIME_INDEX, partitions: statuses.flatMap(statusPartitions), ...common };
}

/** An ISO-8601 time, normalized to the stored form (toISOString) so string order is time order. */
function time(value: string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(ms)) {
    throw badRequest('InvalidTime', `Set "${name}" to an ISO-8601 time such as 2026-11-27T14:00:00Z (got "${value}").`);
  }
  return new Date(ms).toISOString();
}
