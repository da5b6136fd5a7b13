// Reactions on a watched Facebook post in the index (IndexedReaction), one row per reactor and
// post like Meta (one reaction per person). Meta's reactions edge has no time, so each row keeps
// the earliest moment the reaction can have been made (`madeAfter`): for a crawl, the start of the
// previous complete reactions crawl, which did not list it; for a `feed` webhook, its created_time;
// null when the first crawl of the post found it (it may be of any age). Writes are idempotent.
import type { Database } from '../db/client.js';
import { normalizeHandle } from '../verification/handle-match.js';
import type { IndexTargetRow } from './index-store.js';

export interface IndexableReaction {
  /** Page-scoped id (only a Page token sees it) */
  readonly reactorId?: string | undefined;
  readonly reactorName?: string | undefined;
  readonly type: string;
}

/** The row key: the reactor's id, else its normalised name; undefined for an anonymous reaction. */
export function reactorKey(reaction: IndexableReaction): string | undefined {
  if (reaction.reactorId) return reaction.reactorId;
  const name = normalizeHandle(reaction.reactorName);
  return name ? `name:${name}` : undefined;
}

/**
 * Inserts new reactions with `madeAfter`; a reaction already indexed keeps its own (a later crawl
 * listing it again says nothing new about when it was made) but takes the current type and name,
 * unless `newReaction` (a webhook "add": the person had no reaction before, so this one is new).
 * Every row written is touched (updatedAt), which is how a full crawl finds the ones Meta dropped.
 */
export async function upsertReactions(
  db: Database,
  target: Pick<IndexTargetRow, 'id' | 'tenantId'>,
  reactions: readonly IndexableReaction[],
  source: 'CRAWL' | 'WEBHOOK',
  madeAfter: Date | null,
  options: { newReaction?: boolean } = {},
): Promise<number> {
  const keyed = new Map<string, IndexableReaction>();
  for (const reaction of reactions) {
    const key = reactorKey(reaction);
    if (key) keyed.set(key, reaction);
  }
  if (keyed.size === 0) return 0;
  const rows = [...keyed.entries()];
  const column = <T>(pick: (entry: [string, IndexableReaction]) => T) => rows.map(pick);
  return db.$executeRaw`
    INSERT INTO "IndexedReaction" ("id", "tenantId", "indexTargetId", "reactorKey", "reactorId", "reactorName", "reactorHandle", "reactionType", "madeAfter", "source", "updatedAt")
    SELECT gen_random_uuid()::text, ${target.tenantId}, ${target.id}, r."reactorKey", r."reactorId", r."reactorName", r."reactorHandle", r."reactionType",
           ${utcTimestamp(madeAfter)}::timestamp(3), ${source}, clock_timestamp()
    FROM unnest(
      ${column(([key]) => key)}::text[], ${column(([, r]) => r.reactorId ?? null)}::text[], ${column(([, r]) => r.reactorName ?? null)}::text[],
      ${column(([, r]) => normalizeHandle(r.reactorName) ?? null)}::text[], ${column(([, r]) => r.type.toUpperCase())}::text[]
    ) AS r("reactorKey", "reactorId", "reactorName", "reactorHandle", "reactionType")
    ON CONFLICT ("indexTargetId", "reactorKey") DO UPDATE SET
      "reactorId" = COALESCE(EXCLUDED."reactorId", "IndexedReaction"."reactorId"),
      "reactorName" = COALESCE(EXCLUDED."reactorName", "IndexedReaction"."reactorName"),
      "reactorHandle" = COALESCE(EXCLUDED."reactorHandle", "IndexedReaction"."reactorHandle"),
      "reactionType" = EXCLUDED."reactionType",
      "madeAfter" = CASE WHEN ${options.newReaction === true} THEN EXCLUDED."madeAfter" ELSE "IndexedReaction"."madeAfter" END,
      "updatedAt" = clock_timestamp()`;
}

/** A reaction Meta says was removed no longer proves anything. */
export async function removeReaction(db: Database, indexTargetId: string, reaction: IndexableReaction): Promise<number> {
  const key = reactorKey(reaction);
  if (!key) return 0;
  const { count } = await db.indexedReaction.deleteMany({ where: { indexTargetId, reactorKey: key } });
  return count;
}

/**
 * A complete reactions crawl that started at `startedAt` listed every current reaction: the index
 * holds them all as of then, and rows neither listed nor written by a webhook since are gone on Meta.
 */
export async function recordCompleteReactionCrawl(db: Database, indexTargetId: string, crawl: { startedAt: Date; anonymous: number }): Promise<void> {
  await db.indexedReaction.deleteMany({ where: { indexTargetId, updatedAt: { lt: crawl.startedAt } } });
  await db.$executeRaw`
    UPDATE "CommentIndexTarget" SET
      "reactionsCompleteThrough" = GREATEST("reactionsCompleteThrough", ${utcTimestamp(crawl.startedAt)}::timestamp(3)),
      "reactionsAnonymous" = ${crawl.anonymous},
      "updatedAt" = CURRENT_TIMESTAMP
    WHERE "id" = ${indexTargetId}`;
}

/** The database's clock: a reactions crawl's start is compared with rows the database stamped. */
export async function databaseNow(db: Database): Promise<Date> {
  const [row] = await db.$queryRaw<{ now: Date }[]>`SELECT clock_timestamp()::timestamp(3) AS now`;
  return row!.now;
}

/** "2026-12-01 12:00:00.000": how Prisma stores DateTime (UTC, no zone) in TIMESTAMP(3). */
function utcTimestamp(date: Date | null | undefined): string | null {
  return date ? date.toISOString().replace('T', ' ').replace('Z', '') : null;
}
