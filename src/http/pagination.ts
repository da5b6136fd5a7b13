// Keyset pagination shared by the list endpoints: `?limit=&cursor=` → `{items, nextCursor}`.
// The cursor is opaque to clients (base64url of the last row's sort instant and id), so pages stay
// stable while rows are inserted, and it carries no tenant: the tenant filter stays in the query.
import { z } from 'zod';
import { AppError } from './errors.js';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 100;

/** Spread into a list endpoint's query schema. */
export const pageQueryFields = {
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
  cursor: z.string().min(1).max(300).optional(),
};

type SortKey = 'createdAt' | 'claimedAt' | 'receivedAt';
type Direction = 'desc' | 'asc';

interface PageOptions<K extends SortKey> {
  /** The instant rows are sorted by (id breaks ties); default createdAt */
  readonly key?: K;
  /** Default 'desc': newest first */
  readonly direction?: Direction;
}

const decodedCursor = z.tuple([z.iso.datetime(), z.string().min(1).max(100)]);

function decodeCursor(cursor: string): { at: Date; id: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const result = decodedCursor.safeParse(parsed);
  if (!result.success) {
    throw new AppError('VALIDATION_FAILED', 'invalid query', [{ path: 'cursor', message: 'not a cursor returned by this endpoint' }]);
  }
  return { at: new Date(result.data[0]), id: result.data[1] };
}

/** `where`, `orderBy` and `take` for the page after `cursor`. */
export function pageArgs<K extends SortKey = 'createdAt'>(page: { limit: number; cursor?: string | undefined }, options: PageOptions<K> = {}) {
  const key = (options.key ?? 'createdAt') as K;
  const direction = options.direction ?? 'desc';
  const after = page.cursor === undefined ? undefined : decodeCursor(page.cursor);
  const beyond = <T>(value: T) => (direction === 'desc' ? { lt: value } : { gt: value });
  const onKey = <V>(value: V) => ({ [key]: value }) as Record<K, V>;
  return {
    where: after ? { OR: [onKey(beyond(after.at)), { ...onKey(after.at), id: beyond(after.id) }] } : {},
    orderBy: [onKey(direction), { id: direction }],
    // One extra row tells whether another page exists.
    take: page.limit + 1,
  };
}

export function toPage<Row extends { id: string }, Item>(
  rows: Row[],
  limit: number,
  view: (row: Row) => Item,
  keyOf: (row: Row) => Date = (row) => (row as unknown as { createdAt: Date }).createdAt,
) {
  const pageRows = rows.slice(0, limit);
  const last = pageRows[pageRows.length - 1];
  return {
    items: pageRows.map(view),
    nextCursor: rows.length > limit && last ? Buffer.from(JSON.stringify([keyOf(last).toISOString(), last.id])).toString('base64url') : null,
  };
}
