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

export function createRetentionActivities({ db }: Pick<ActivityDeps, 'db'>) {
  const heartbeat = () => {
    try {
      Context.current().heartbeat();
    } catch {
      // Called outside an activity (tests): nothing to report to.
    }
  };

  /** Deletes rows matching `where` (a SQL condition on `table`) in batches; returns how many. */
  async function deleteInBatches(table: 'WebhookEvent' | 'MessageStatusEvent', where: Prisma.Sql, batchSize: number): Promise<number> {
    let deleted = 0;
    for (;;) {
      const count = await db.$executeRaw(Prisma.sql`
        DELETE FROM ${Prisma.raw(`"${table}"`)}
         WHERE id IN (SELECT id FROM ${Prisma.raw(`"${table}"`)} WHERE ${where} LIMIT ${batchSize})`);
      deleted += count;
      heartbeat();
      if (count < batchSize) return deleted;
    }
  }

  return {
    /**
     * Deletes webhook deliveries processed before the cutoff (unprocessed ones are kept: the sweeper
     * still owes them a run) and delivery statuses older than the cutoff, applied or not.
     */
    async pruneRetainedRows(input: { retentionDays: number; now: string; batchSize?: number }): Promise<PruneResult> {
      const cutoff = new Date(Date.parse(input.now) - input.retentionDays * DAY_MS);
      const batchSize = input.batchSize ?? 1_000;
      const webhookEvents = await deleteInBatches('WebhookEvent', Prisma.sql`"processedAt" < ${cutoff}`, batchSize);
      const messageStatusEvents = await deleteInBatches(
        'MessageStatusEvent',
        Prisma.sql`("appliedAt" < ${cutoff}) OR ("appliedAt" IS NULL AND "createdAt" < ${cutoff})`,
        batchSize,
      );
      // Budget windows are a minute at most: a counter untouched for an hour is a fresh budget anyway.
      const rateLimitCounters = await pruneRateLimitCounters(db, new Date(Date.parse(input.now) - HOUR_MS));
      return { cutoff: cutoff.toISOString(), webhookEvents, messageStatusEvents, rateLimitCounters };
    },
  };
}
