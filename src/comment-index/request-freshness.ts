// Asking a target's index to be fresh, and waiting for it. The ask is a signal-with-start of the
// target's entity workflow (one crawl at a time, shared by everyone asking); the answer is read
// from the index row, which each crawl updates (complete through its start, or why it failed).
import type { Client } from '@temporalio/client';
import type { Database } from '../db/client.js';
import { TENANT_ID } from '../temporal/search-attributes.js';
import {
  COMMENT_INDEX_WORKFLOW_TYPE,
  commentIndexWorkflowId,
  freshnessRequestedSignal,
  type CommentIndexWorkflowInput,
} from '../../workflows/comment-index-definitions.js';
import { findIndexTarget, type IndexTargetRow } from './index-store.js';
import type { IndexTargetKey } from './target-key.js';

export interface FreshnessRequester {
  readonly temporal: Client;
  readonly taskQueue: string;
  readonly coalesceMs: number;
  /** With the database, requests a crawl still to start already covers are not signalled again */
  readonly db?: Database;
}

/** A request mark older than this is not trusted (its signal may have been lost): signal again. */
const REQUEST_MARK_TRUSTED_MS = 10 * 60_000;

/**
 * Signal-with-start: starts the target's workflow if it is not running, and asks for `asOf`.
 * Deduplicated through the index row: the first request since the last crawl started marks the
 * row (crawlRequestedAt) and signals; later ones find the mark and stop there, because the crawl
 * that clears it starts reading only after clearing it, so after them. A mark written after a crawl
 * started but for a time before its start is cleared when that crawl ends (recordCompleteCrawl,
 * recordCrawlError), or no later request would signal. Thousands of claims asking
 * during one long crawl cost the target's workflow one signal, not thousands of history events.
 */
export async function requestFreshness(deps: FreshnessRequester, key: IndexTargetKey, asOf: Date): Promise<void> {
  if (deps.db) {
    const marked = await deps.db.commentIndexTarget.updateMany({
      where: {
        tenantId: key.tenantId,
        platform: key.platform,
        targetId: key.targetId,
        OR: [{ crawlRequestedAt: null }, { crawlRequestedAt: { lt: new Date(asOf.getTime() - REQUEST_MARK_TRUSTED_MS) } }],
      },
      data: { crawlRequestedAt: asOf },
    });
    if (marked.count === 0) return;
    try {
      await signalFreshness(deps, key, asOf);
    } catch (error) {
      // Not asked after all: the next request must signal.
      await deps.db.commentIndexTarget.updateMany({
        where: { tenantId: key.tenantId, platform: key.platform, targetId: key.targetId, crawlRequestedAt: asOf },
        data: { crawlRequestedAt: null },
      });
      throw error;
    }
    return;
  }
  await signalFreshness(deps, key, asOf);
}

async function signalFreshness(deps: FreshnessRequester, key: IndexTargetKey, asOf: Date): Promise<void> {
  const input: CommentIndexWorkflowInput = { tenantId: key.tenantId, platform: key.platform, targetId: key.targetId, coalesceMs: deps.coalesceMs };
  await deps.temporal.workflow.signalWithStart(COMMENT_INDEX_WORKFLOW_TYPE, {
    workflowId: commentIndexWorkflowId(key),
    taskQueue: deps.taskQueue,
    args: [input],
    signal: freshnessRequestedSignal,
    signalArgs: [{ asOf: asOf.toISOString() }],
    typedSearchAttributes: [{ key: TENANT_ID, value: key.tenantId }],
    staticSummary: `Comment index of ${key.platform} ${key.targetId}`,
  });
}

export type Freshness =
  | { readonly state: 'fresh'; readonly target: IndexTargetRow }
  /** A crawl after the request failed: why (kind as OutboundError, or no_credentials) */
  | { readonly state: 'failed'; readonly target: IndexTargetRow; readonly kind: string; readonly message: string }
  /** No crawl since the request has completed or failed yet (a long backfill, a throttled tenant) */
  | { readonly state: 'pending'; readonly target: IndexTargetRow | null };

/**
 * One look at the index row: complete through `asOf`, a crawl failed after it, or still to come.
 * Never a wait: a claim waits for the crawl in its workflow (a timer), not in an activity slot
 * the crawl itself may need.
 */
export async function readFreshness(
  db: Database,
  key: IndexTargetKey,
  asOf: Date,
  through: (target: IndexTargetRow) => Date | null = (target) => target.completeThrough,
): Promise<Freshness> {
  const target = await findIndexTarget(db, key);
  const completeThrough = target ? through(target) : null;
  if (target && completeThrough && completeThrough >= asOf) return { state: 'fresh', target };
  if (target?.lastErrorAt && target.lastErrorAt >= asOf) {
    return { state: 'failed', target, kind: target.lastErrorKind ?? 'transient', message: target.lastError ?? 'the crawl failed' };
  }
  return { state: 'pending', target };
}
