// The one statement behind a campaign's statistics: a single pass over the campaign's claims
// (found by the tenant/campaign index), aggregated in PostgreSQL with three grouping sets at once:
//   - the counted columns (status, reason, method, notification status and reason, channel, went out) per task;
//   - claim → verified durations per task, as a log-scale histogram (2% wide buckets);
//   - verified → sent durations per task, likewise.
// Node receives one row per distinct combination and per histogram bucket (hundreds, whatever the
// number of claims), never a row per claim. Exact percentiles (percentile_cont) would sort every
// duration, which at 100,000 claims costs more than the whole statement does.
// A campaign of 100,000 claims answers in well under 200 ms (the bench's tenant-stats phase).
import { Prisma } from '../../generated/prisma/client.js';
import type { Database } from '../../db/client.js';

/** One combination of the counted columns and how many claims (and spins) have it. */
export interface ClaimGroupRow {
  readonly taskId: string;
  readonly status: string;
  readonly reason: string | null;
  readonly method: string | null;
  readonly notificationStatus: string;
  /** Why the notification waits, was skipped or failed (src/domain/notification-reason.ts) */
  readonly notificationReason: string | null;
  /** Meta's pricing category of the message (from its statuses), when known */
  readonly pricingCategory: string | null;
  readonly channel: string | null;
  /** The notification went out (sentAt is set), whatever Meta reported afterwards */
  readonly wentOut: boolean;
  readonly claims: number;
  readonly spins: number;
}

/** How many durations of one task fell in one histogram bucket. */
export interface DurationBucketRow {
  readonly taskId: string;
  readonly bucket: number;
  readonly count: number;
}

export interface CampaignAggregates {
  readonly groups: ClaimGroupRow[];
  readonly claimToVerified: DurationBucketRow[];
  readonly verifiedToSent: DurationBucketRow[];
}

/** Bucket b holds durations d (seconds) with floor(ln(1 + d) / ln(GROWTH)) = b. */
const GROWTH = 1.02;

/** A bucket's representative duration: its geometric middle, within 1% of every duration in it. */
export const bucketSeconds = (bucket: number) => Math.exp((bucket + 0.5) * Math.log(GROWTH)) - 1;

export async function aggregateCampaignClaims(db: Database, tenantId: string, campaignId: string): Promise<CampaignAggregates> {
  const bucketOf = (seconds: Prisma.Sql) => Prisma.sql`floor(ln(1 + greatest(0, ${seconds})) / ln(${GROWTH}::float8))::int`;
  const query = db.$queryRaw<
    Array<{
      g: number;
      taskId: string;
      status: string;
      reason: string | null;
      method: string | null;
      notificationStatus: string;
      notificationReason: string | null;
      pricingCategory: string | null;
      channel: string | null;
      wentOut: boolean;
      vb: number | null;
      sb: number | null;
      claims: bigint;
      spins: bigint;
    }>
  >`
    SELECT GROUPING(c.status, c.vb, c.sb) AS g, c."taskId", c.status::text AS status, c.reason, c.method::text AS method,
           c."notificationStatus"::text AS "notificationStatus", c."notificationReason", c."pricingCategory", c.channel::text AS channel, c."wentOut",
           c.vb, c.sb, count(*) AS claims, COALESCE(sum(c.spins), 0)::bigint AS spins
      FROM (
        SELECT "taskId", status, reason, "verificationMethod" AS method, "notificationStatus", "notificationReason", "notificationPricingCategory" AS "pricingCategory", "notificationChannel" AS channel,
               ("notificationSentAt" IS NOT NULL) AS "wentOut", "spinsAwarded" AS spins,
               CASE WHEN status = 'VERIFIED' AND "verifiedAt" IS NOT NULL
                    THEN ${bucketOf(Prisma.sql`date_part('epoch', "verifiedAt" - "claimedAt")`)} END AS vb,
               CASE WHEN "verifiedAt" IS NOT NULL AND "notificationSentAt" IS NOT NULL
                    THEN ${bucketOf(Prisma.sql`date_part('epoch', "notificationSentAt" - "verifiedAt")`)} END AS sb
          FROM "SocialTaskCompletion"
         WHERE "tenantId" = ${tenantId} AND "campaignId" = ${campaignId}
      ) c
     GROUP BY GROUPING SETS ((c."taskId", c.status, c.reason, c.method, c."notificationStatus", c."notificationReason", c."pricingCategory", c.channel, c."wentOut"), (c."taskId", c.vb), (c."taskId", c.sb))`;
  // The planner over-estimates the groups (it cannot know durations cluster) and, within the default
  // work_mem, sorts 100,000 rows on disk instead of hashing a few hundred groups: give this one
  // statement room to hash all three grouping sets in one pass.
  const [, rows] = await db.$transaction([db.$executeRaw`SET LOCAL work_mem = '32MB'`, query]);
  const aggregates: CampaignAggregates = { groups: [], claimToVerified: [], verifiedToSent: [] };
  for (const row of rows) {
    // GROUPING(status, vb, sb) has a bit set for each column left out of the row's grouping set.
    const g = Number(row.g);
    if (g === 0b011) {
      const { taskId, status, reason, method, notificationStatus, notificationReason, pricingCategory, channel, wentOut } = row;
      aggregates.groups.push({
        taskId,
        status,
        reason,
        method,
        notificationStatus,
        notificationReason,
        pricingCategory,
        channel,
        wentOut,
        claims: Number(row.claims),
        spins: Number(row.spins),
      });
    } else if (g === 0b101 && row.vb !== null) {
      aggregates.claimToVerified.push({ taskId: row.taskId, bucket: Number(row.vb), count: Number(row.claims) });
    } else if (g === 0b110 && row.sb !== null) {
      aggregates.verifiedToSent.push({ taskId: row.taskId, bucket: Number(row.sb), count: Number(row.claims) });
    }
  }
  return aggregates;
}
