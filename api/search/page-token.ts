/**
 * The opaque pagination token: where each merged partition resumes, bound to the query it belongs to
 * (a token from another query is refused, not silently misapplied). base64url JSON; not secret: it
 * holds only index keys of entries the caller was already shown.
 */
import { createHash } from 'node:crypto';
import { badRequest } from '../shared/http';
import type { IndexQuery } from './image-query';

/** Per partition: the key to resume after, null when it is exhausted, absent when not read yet. */
export type Positions = Record<string, Record<string, string> | null>;

function fingerprint(query: IndexQuery): string {
  const what = [query.index.name, query.partitions, query.from, query.to, query.minConfidence];
  return createHash('sha256').update(JSON.stringify(what)).digest('base64url').slice(0, 16);
}

export function encodeToken(query: IndexQuery, positions: Positions): string {
  return Buffer.from(JSON.stringify({ v: 1, q: fingerprint(query), p: positions })).toString('base64url');
}

const BAD_TOKEN =
  'The nextToken is not one this query returned; send the nextToken of the previous page unchanged, with the same filters, or leave it out to start from the newest.';

export function decodeToken(query: IndexQuery): Positions {
  if (query.nextToken === undefined) return {};
  let token: { v?: unknown; q?: unknown; p?: unknown };
  try {
    token = JSON.parse(Buffer.from(query.nextToken, 'base64url').toString('utf8'));
  } catch {
    throw badRequest('InvalidToken', BAD_TOKEN);
  }
  if (token?.v !== 1 || token.q !== fingerprint(query) || typeof token.p !== 'object' || token.p === null)
    throw badRequest('InvalidToken', BAD_TOKEN);
  const positions = token.p as Record<string, unknown>;
  for (const [partition, key] of Object.entries(positions)) {
    const valid =
      query.partitions.includes(partition) &&
      (key === null || (typeof key === 'object' && Object.values(key as object).every((v) => typeof v === 'string')));
    if (!valid) throw badRequest('InvalidToken', BAD_TOKEN);
  }
  return positions as Positions;
}
