// Request budgets that hold across every API process: the counters live in PostgreSQL, one row per
// budget key, in fixed windows of the database's own clock (so processes with skewed clocks agree).
//
// Budgets are checked in order, in ONE statement (one round-trip per request): a budget is only
// charged when every budget before it accepted, so a user who is over their own limit never spends
// the tenant's. A refused request is not counted against its budget (a client that retries after
// Retry-After finds a fresh window) but is counted, per tenant and hour, in RateLimitRejection.
import { Prisma } from '../generated/prisma/client.js';
import type { Database } from '../db/client.js';

export interface Budget {
  /** The counter's key, e.g. "claims:user:<endUserId>"; the same key is the same budget everywhere */
  readonly key: string;
  /** Requests accepted per window */
  readonly limit: number;
  readonly windowMs: number;
  /** Shown to the tenant admin with the refused counts (claims_per_user, claims_per_tenant, timeline_reads) */
  readonly limitName: string;
  readonly tenantId: string;
}

export type BudgetDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly limitName: string; readonly limit: number; readonly retryAfterSeconds: number };

/** Charges one request to each budget in order; refuses at the first budget that is spent. */
export async function consumeBudgets(db: Database, budgets: readonly Budget[]): Promise<BudgetDecision> {
  if (budgets.length === 0) return { allowed: true };
  const steps = budgets.map((budget, index) => {
    const name = Prisma.raw(`b${index}`);
    // The row is reset in a newer window and incremented in the current one only while under the limit;
    // no row returned means refused. The step runs only when the step before it returned its row.
    const previousAccepted = index === 0 ? Prisma.sql`TRUE` : Prisma.sql`EXISTS (SELECT 1 FROM ${Prisma.raw(`b${index - 1}`)})`;
    return Prisma.sql`${name} AS (
      INSERT INTO "RateLimitCounter" AS c ("key", "windowStartMs", "count")
      SELECT ${budget.key}, (clock.ms / ${budget.windowMs}::bigint) * ${budget.windowMs}::bigint, 1 FROM clock
       WHERE ${previousAccepted}
      ON CONFLICT ("key") DO UPDATE
         SET "count" = CASE WHEN c."windowStartMs" < EXCLUDED."windowStartMs" THEN 1 ELSE c."count" + 1 END,
             "windowStartMs" = GREATEST(c."windowStartMs", EXCLUDED."windowStartMs")
       WHERE c."windowStartMs" < EXCLUDED."windowStartMs" OR c."count" < ${budget.limit}
      RETURNING 1)`;
  });
  // The refusal, counted for the tenant admin: at most one budget refuses (the first spent one).
  const refusals = budgets.map((budget, index) => {
    const ranAndRefused =
      index === 0
        ? Prisma.sql`NOT EXISTS (SELECT 1 FROM b0)`
        : Prisma.sql`EXISTS (SELECT 1 FROM ${Prisma.raw(`b${index - 1}`)}) AND NOT EXISTS (SELECT 1 FROM ${Prisma.raw(`b${index}`)})`;
    return Prisma.sql`SELECT ${budget.tenantId} AS "tenantId", ${budget.limitName} AS "limitName" WHERE ${ranAndRefused}`;
  });
  const accepted = budgets.map((_, index) => Prisma.sql`EXISTS (SELECT 1 FROM ${Prisma.raw(`b${index}`)}) AS ${Prisma.raw(`ok${index}`)}`);
  const rows = await db.$queryRaw<Array<Record<string, unknown> & { ms: bigint }>>(Prisma.sql`
    WITH clock AS (SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS ms),
    ${Prisma.join(steps, ',\n')},
    refused AS (
      INSERT INTO "RateLimitRejection" AS r ("tenantId", "limitName", "hourStart", "count")
      SELECT x."tenantId", x."limitName", date_trunc('hour', now() AT TIME ZONE 'UTC'), 1 FROM (${Prisma.join(refusals, ' UNION ALL ')}) x
      ON CONFLICT ("tenantId", "limitName", "hourStart") DO UPDATE SET "count" = r."count" + 1
      RETURNING 1)
    SELECT clock.ms, ${Prisma.join(accepted, ', ')}, (SELECT count(*) FROM refused) AS refusals FROM clock`);
  const row = rows[0];
  if (!row) throw new Error('rate-limit statement returned no row');
  const refusedIndex = budgets.findIndex((_, index) => row[`ok${index}`] !== true);
  if (refusedIndex === -1) return { allowed: true };
  const budget = budgets[refusedIndex]!;
  const nowMs = Number(row.ms);
  const windowEndMs = (Math.floor(nowMs / budget.windowMs) + 1) * budget.windowMs;
  return {
    allowed: false,
    limitName: budget.limitName,
    limit: budget.limit,
    retryAfterSeconds: Math.max(1, Math.ceil((windowEndMs - nowMs) / 1000)),
  };
}

/**
 * Deletes counters whose window started before `before` (pass a time longer ago than the longest
 * window): a key unused since then starts a fresh window anyway, so nothing is forgotten.
 */
export async function pruneRateLimitCounters(db: Database, before: Date): Promise<number> {
  return db.$executeRaw`DELETE FROM "RateLimitCounter" WHERE "windowStartMs" < ${before.getTime()}::bigint`;
}
