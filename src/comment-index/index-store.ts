// The comment index in PostgreSQL: one CommentIndexTarget row per (tenant, platform, target) and
// its IndexedComment rows. Every write is idempotent (upserts keyed by Meta's comment id), so a
// crawl, its retry, and a webhook delivering the same comment all leave one row.
import type { Database } from '../db/client.js';
import { normalizeHandle } from '../verification/handle-match.js';
import type { IndexPlatform, IndexTargetKey } from './target-key.js';

export interface IndexableComment {
  readonly commentId: string;
  readonly parentId?: string | undefined;
  readonly authorId?: string | undefined;
  /** Username (Instagram) or display name (Facebook) */
  readonly authorName?: string | undefined;
  readonly text?: string | undefined;
  readonly createdTime?: Date | undefined;
}

export type CommentSource = 'CRAWL' | 'WEBHOOK';

export interface IndexTargetRow {
  readonly id: string;
  readonly tenantId: string;
  readonly platform: IndexPlatform;
  readonly targetId: string;
  readonly completeThrough: Date | null;
  readonly crawlWatermark: Date | null;
  readonly readableAt: Date | null;
  readonly lastErrorAt: Date | null;
  readonly lastErrorKind: string | null;
  readonly lastError: string | null;
  readonly failedCrawls: number;
  readonly unreadableSince: Date | null;
  /** An unfinished crawl's checkpoint (storedCrawlProgress reads it) */
  readonly crawlProgress: unknown;
  readonly retryAt: Date | null;
  readonly reactionsCompleteThrough: Date | null;
  readonly reactionsAnonymous: number;
}

/** The target's index row, created on first use. */
export async function ensureIndexTarget(db: Database, key: IndexTargetKey): Promise<IndexTargetRow> {
  const { tenantId, platform, targetId } = key;
  return asRow(
    await db.commentIndexTarget.upsert({
      where: { tenantId_platform_targetId: { tenantId, platform, targetId } },
      create: { tenantId, platform, targetId },
      update: {},
    }),
  );
}

export async function findIndexTarget(db: Database, key: IndexTargetKey): Promise<IndexTargetRow | null> {
  const { tenantId, platform, targetId } = key;
  const row = await db.commentIndexTarget.findUnique({ where: { tenantId_platform_targetId: { tenantId, platform, targetId } } });
  return row ? asRow(row) : null;
}

/** Index rows only ever hold INSTAGRAM or FACEBOOK (target-key.ts decides which tasks have one). */
function asRow<T extends { platform: string }>(row: T): T & { platform: IndexPlatform } {
  return row as T & { platform: IndexPlatform };
}

/** Inserts or refreshes comments of one target in one statement. */
export async function upsertComments(
  db: Database,
  target: Pick<IndexTargetRow, 'id' | 'tenantId'>,
  comments: readonly IndexableComment[],
  source: CommentSource,
): Promise<number> {
  if (comments.length === 0) return 0;
  // One row per comment id (a page and its inline replies may repeat one).
  const unique = [...new Map(comments.map((comment) => [comment.commentId, comment])).values()];
  const column = <T>(pick: (comment: IndexableComment) => T) => unique.map(pick);
  return db.$executeRaw`
    INSERT INTO "IndexedComment" ("id", "tenantId", "indexTargetId", "commentId", "parentId", "authorId", "authorName", "authorHandle", "text", "createdTime", "source", "updatedAt")
    SELECT gen_random_uuid()::text, ${target.tenantId}, ${target.id}, c."commentId", c."parentId", c."authorId", c."authorName", c."authorHandle", c."text", c."createdTime"::timestamp(3), ${source}, CURRENT_TIMESTAMP
    FROM unnest(
      ${column((c) => c.commentId)}::text[], ${column((c) => c.parentId ?? null)}::text[], ${column((c) => c.authorId ?? null)}::text[],
      ${column((c) => c.authorName ?? null)}::text[], ${column((c) => normalizeHandle(c.authorName) ?? null)}::text[],
      ${column((c) => c.text ?? null)}::text[], ${column((c) => utcTimestamp(c.createdTime))}::text[]
    ) AS c("commentId", "parentId", "authorId", "authorName", "authorHandle", "text", "createdTime")
    ON CONFLICT ("indexTargetId", "commentId") DO UPDATE SET
      "parentId" = COALESCE(EXCLUDED."parentId", "IndexedComment"."parentId"),
      "authorId" = COALESCE(EXCLUDED."authorId", "IndexedComment"."authorId"),
      "authorName" = COALESCE(EXCLUDED."authorName", "IndexedComment"."authorName"),
      "authorHandle" = COALESCE(EXCLUDED."authorHandle", "IndexedComment"."authorHandle"),
      "text" = COALESCE(EXCLUDED."text", "IndexedComment"."text"),
      "createdTime" = COALESCE(EXCLUDED."createdTime", "IndexedComment"."createdTime"),
      "updatedAt" = CURRENT_TIMESTAMP`;
}

/** A comment Meta says was removed (or hidden) no longer proves anything. */
export async function removeComment(db: Database, indexTargetId: string, commentId: string): Promise<number> {
  const { count } = await db.indexedComment.deleteMany({ where: { indexTargetId, commentId } });
  return count;
}

/**
 * A complete crawl that started at `startedAt`: the index now holds everything created before it.
 * A request marked while it ran but made before its start is covered, so its mark is cleared here:
 * the crawl cleared the row before that mark was written, and nothing else would.
 */
export async function recordCompleteCrawl(
  db: Database,
  indexTargetId: string,
  crawl: { startedAt: Date; newestSeen: Date | undefined; pages: number; commentsSkipped?: boolean },
): Promise<void> {
  // A crawl of a post's reactions only (LIKE tasks alone) says nothing about its comments.
  const commentsThrough = crawl.commentsSkipped ? undefined : crawl.startedAt;
  await db.$executeRaw`
    UPDATE "CommentIndexTarget" SET
      "completeThrough" = GREATEST("completeThrough", ${utcTimestamp(commentsThrough)}::timestamp(3)),
      "crawlWatermark" = GREATEST("crawlWatermark", ${utcTimestamp(crawl.newestSeen)}::timestamp(3)),
      "readableAt" = COALESCE("readableAt", ${utcTimestamp(crawl.startedAt)}::timestamp(3)),
      "lastCrawlAt" = CURRENT_TIMESTAMP,
      "pagesRead" = "pagesRead" + ${crawl.pages},
      "crawls" = "crawls" + 1,
      "lastErrorAt" = NULL, "lastErrorKind" = NULL, "lastError" = NULL, "failedCrawls" = 0,
      "unreadableSince" = NULL, "crawlProgress" = NULL,
      "crawlRequestedAt" = CASE WHEN "crawlRequestedAt" <= ${utcTimestamp(crawl.startedAt)}::timestamp(3) THEN NULL ELSE "crawlRequestedAt" END,
      "updatedAt" = CURRENT_TIMESTAMP
    WHERE "id" = ${indexTargetId}`;
}

/**
 * A crawl attempt that could not finish: claims waiting for it learn why (the detail may quote
 * Meta). `failedCrawls` counts crawls, not their retries: only a crawl's first failed attempt adds
 * one. `unreadableSince` keeps the first failure since the last complete crawl, on `at`'s clock
 * (Temporal's, so an outage is measured as the claims waiting on it see time pass).
 */
export async function recordCrawlError(
  db: Database,
  indexTargetId: string,
  failure: { kind: string; message: string; pages: number; retryAfterMs?: number | undefined; firstAttempt: boolean; at: Date },
): Promise<void> {
  // The database's clock: a claim waiting for the index compares its request time with it.
  const [{ now }] = (await db.$queryRaw<{ now: Date }[]>`SELECT clock_timestamp() AS now`) as [{ now: Date }];
  await db.$transaction([
    db.commentIndexTarget.update({
      where: { id: indexTargetId },
      data: {
        lastErrorAt: now,
        lastErrorKind: failure.kind,
        lastError: failure.message.slice(0, 1_000),
        retryAt: failure.retryAfterMs ? new Date(Date.now() + failure.retryAfterMs) : null,
        lastCrawlAt: new Date(),
        pagesRead: { increment: failure.pages },
        ...(failure.firstAttempt ? { failedCrawls: { increment: 1 } } : {}),
      },
    }),
    db.commentIndexTarget.updateMany({ where: { id: indexTargetId, unreadableSince: null }, data: { unreadableSince: failure.at } }),
    // Requests made before the failure are answered by it (their claims read lastErrorAt).
    db.commentIndexTarget.updateMany({ where: { id: indexTargetId, crawlRequestedAt: { lte: now } }, data: { crawlRequestedAt: null } }),
  ]);
}

/**
 * A crawl is about to read: requests marked so far are covered by it (it starts after this), so the
 * mark is cleared and the next request signals again.
 */
export async function clearCrawlRequest(db: Database, indexTargetId: string): Promise<void> {
  await db.commentIndexTarget.update({ where: { id: indexTargetId }, data: { crawlRequestedAt: null } });
}

/** Where the running crawl would resume if it stopped now (every comment before it is stored). */
export async function recordCrawlProgress(db: Database, indexTargetId: string, progress: StoredCrawlProgress): Promise<void> {
  await db.commentIndexTarget.update({ where: { id: indexTargetId }, data: { crawlProgress: { ...progress } } });
}

/** An unfinished crawl's checkpoint, with the start that crawl will report completeness through. */
export interface StoredCrawlProgress {
  /** ISO start of the crawl that made the checkpoint */
  readonly startedAt: string;
  readonly after: string;
  readonly newestSeen?: string | undefined;
  readonly threads?: readonly string[] | undefined;
}

/** The row's checkpoint when it is well-formed; anything else starts the crawl afresh. */
export function storedCrawlProgress(value: unknown): StoredCrawlProgress | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const { startedAt, after, newestSeen, threads } = value as Record<string, unknown>;
  if (typeof startedAt !== 'string' || Number.isNaN(Date.parse(startedAt)) || typeof after !== 'string' || after === '') return undefined;
  return {
    startedAt,
    after,
    newestSeen: typeof newestSeen === 'string' ? newestSeen : undefined,
    threads: Array.isArray(threads) ? threads.filter((thread): thread is string => typeof thread === 'string') : undefined,
  };
}

/** "2026-12-01 12:00:00.000": how Prisma stores DateTime (UTC, no zone) in TIMESTAMP(3). */
function utcTimestamp(date: Date | undefined): string | null {
  return date ? date.toISOString().replace('T', ' ').replace('Z', '') : null;
}
