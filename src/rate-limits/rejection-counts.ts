// What the tenant admin sees of refused requests: per limit, the last 24 hours and all time.
import type { Database } from '../db/client.js';
import { LIMIT_NAMES, type LimitName } from './api-budgets.js';

export type RejectionCounts = Record<LimitName, { readonly last24h: number; readonly total: number }>;

export async function rejectionCountsOf(db: Database, tenantId: string, now: Date = new Date()): Promise<RejectionCounts> {
  const since = new Date(now.getTime() - 24 * 3_600_000);
  const rows = await db.$queryRaw<Array<{ limitName: string; last24h: bigint; total: bigint }>>`
    SELECT "limitName",
           COALESCE(sum("count") FILTER (WHERE "hourStart" >= date_trunc('hour', ${since.toISOString()}::timestamptz AT TIME ZONE 'UTC')), 0)::bigint AS "last24h",
           sum("count")::bigint AS total
      FROM "RateLimitRejection" WHERE "tenantId" = ${tenantId} GROUP BY "limitName"`;
  const counts = Object.fromEntries(LIMIT_NAMES.map((name) => [name, { last24h: 0, total: 0 }])) as Record<
    LimitName,
    { last24h: number; total: number }
  >;
  for (const row of rows) {
    if ((LIMIT_NAMES as readonly string[]).includes(row.limitName)) {
      counts[row.limitName as LimitName] = { last24h: Number(row.last24h), total: Number(row.total) };
    }
  }
  return counts;
}
