// Pruning what only grows: processed webhook deliveries (payloads up to 4 MB) and Meta delivery
// statuses, applied or never matched to a send of ours. Deleted in small batches so a large backlog
// never holds long locks; each batch heartbeats, so a retry resumes where the last one stopped.
import { Context } from '@temporalio/activity';
import { Prisma } from '../src/generated/prisma/client.js';
import { pruneRateLimitCounters } from '../src/rate-limits/request-budget.js';
import type { ActivityDeps } from './deps.js';

export interface PruneResult {
  readonly cutoff: string;
  readonly webhookEvents: number;
  readonly messageStatusEvents: number;
  /** Request-budget counters of windows that ended long ago (src/rate-limits) */
  readonly rateLimitCounters: number;
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export function createRetentionActivities(deps: Pick<ActivityDeps, 'db' | 'batchDb'>) {
  const db = deps.batchDb ?? deps.db;
  const heartbeat = () => {
    try {
      Context.current().heartbeat();
    } catch {
      // Called outside an activity (tests): nothing to report to.
    }
  };

  /**
   * Deletes rows matching `where` (a SQL condition on `table`) in batches; returns how many. Each
   * batch is taken in the order of `indexed` (the column an index covers and `where` bounds), so it
   * reads the index range instead of scanning the table for the next batch, and deleted by primary
   * key (an array of ids, not a join the planner could turn into a scan of the table).
   */
  async function deleteInBatches(
    table: 'WebhookEvent' | 'MessageStatusEvent',
    where: Prisma.Sql,
    indexed: string,
    batchSize: number,
  ): Promise<number> {
    let deleted = 0;
    for (;;) {
      const count = await db.$executeRaw(Prisma.sql`
        DELETE FROM ${Prisma.raw(`"${table}"`)}
         WHERE id = ANY(ARRAY(SELECT id FROM ${Prisma.raw(`"${table}"`)} WHERE ${where} ORDER BY ${Prisma.raw(`"${indexed}"`)} LIMIT ${batchSize}))`);
      deleted += count;
      heartbeat();
      if (count < batchSize) return deleted;
    }
  }

  return {
    /**
     * Deletes webhook deliveries processed (or discarded) before the cutoff — unprocessed ones are
     * kept: the sweeper still owes them a run, and failed ones wait for an operator's replay or
     * discard — and delivery statuses older than the cutoff, applied or not.
     */
    async pruneRetainedRows(input: { retentionDays: number; now: string; batchSize?: number }): Promise<PruneResult> {
      const cutoff = new Date(Date.parse(input.now) - input.retentionDays * DAY_MS);
      const batchSize = input.batchSize ?? 1_000;
      const webhookEvents = await deleteInBatches('WebhookEvent', Prisma.sql`"processedAt" < ${cutoff}`, 'processedAt', batchSize);
      // Applied and never-applied statuses in two passes, each a range of the (appliedAt, createdAt) index.
      const messageStatusEvents =
        (await deleteInBatches('MessageStatusEvent', Prisma.sql`"appliedAt" < ${cutoff}`, 'appliedAt', batchSize)) +
        (await deleteInBatches('MessageStatusEvent', Prisma.sql`"appliedAt" IS NULL AND "createdAt" < ${cutoff}`, 'createdAt', batchSize));
      // Budget windows are a minute at most: a counter untouched for an hour is a fresh budget anyway.
      const rateLimitCounters = await pruneRateLimitCounters(db, new Date(Date.parse(input.now) - HOUR_MS));
      return { cutoff: cutoff.toISOString(), webhookEvents, messageStatusEvents, rateLimitCounters };
    },
  };
}
