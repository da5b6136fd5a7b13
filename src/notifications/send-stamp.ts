// The stamp of a send attempt as statements (outcomes.ts `stamp` runs them in one transaction,
// under the lock of its (sending number, recipient) pair). After the lock, one statement reads the
// database's clock, checks the claim and the pair's last message, and writes the stamp, the
// attempt row and the coalesced siblings, each write conditional on the checks; one more reads
// what the message carries, only when something is coalesced into the claim. (Four round trips
// with the transaction's BEGIN and COMMIT, where a statement per step took eleven.)
import type { Database } from '../db/client.js';
import { NOTIFICATION_AHEAD } from '../domain/statuses.js';

/** The recipient of a send, for one-message-at-a-time (the end user, within one campaign for coalescing). */
export interface Recipient {
  readonly tenantId: string;
  readonly userId: string;
  readonly campaignId: string;
  /**
   * The pair WhatsApp spaces (131056): the sending number (the channel's key: one Cloud API number,
   * a tenant's provider, or the platform's number that several tenants share) and the recipient's
   * phone number, whoever's end user it is.
   */
  readonly sender: string;
  readonly phone: string;
}

/** A claim of the same end user and campaign whose notification this attempt's message carries. */
export interface CarriedNotification {
  readonly claimId: string;
  readonly taskTitle: string;
  readonly spins: number;
}

type Transaction = Parameters<Parameters<Database['$transaction']>[0]>[0];

/** WhatsApp accepts one message per 6 s from a number to one recipient (131056); we keep to it per such pair. */
export const RECIPIENT_SPACING_MS = 6_000;

export type StampStatementResult = { kind: 'stamped'; carried: CarriedNotification[] } | { kind: 'too_soon'; retryInMs: number } | { kind: 'lost' };

interface StampRow {
  now: Date;
  /** The claim as the statement found it: stampable (verified, never attempted, its notification ahead) */
  stampable: boolean;
  /** The pair's latest other message within the spacing, when there is one */
  recentAt: Date | null;
  stamped: bigint | number;
  coalesced: bigint | number;
  /** Notifications an earlier attempt of this claim coalesced into it (they ride on this message too) */
  alreadyCarrying: boolean;
}

/**
 * Stamps `completionId` for attempt `attemptId` unless it is not stampable (lost) or the pair had a
 * message less than RECIPIENT_SPACING_MS ago (too soon: nothing written). The caller holds the
 * pair's lock: this statement's snapshot is taken after it, so it sees every stamp committed
 * before.
 */
export async function stampStatement(
  tx: Transaction,
  claimId: string,
  attemptId: string,
  recipient: Recipient,
  phone: string,
): Promise<StampStatementResult> {
  const ahead = [...NOTIFICATION_AHEAD];
  const [row] = await tx.$queryRaw<StampRow[]>`
    WITH t AS MATERIALIZED (SELECT date_trunc('milliseconds', clock_timestamp() AT TIME ZONE 'UTC') AS now),
    own AS (
      SELECT "status" = 'VERIFIED' AND "notificationAttemptedAt" IS NULL AND "notificationStatus"::text = ANY(${ahead}::text[]) AS stampable
      FROM "SocialTaskCompletion" WHERE "id" = ${claimId}),
    recent AS (
      SELECT max(c."notificationAttemptedAt") AS at FROM "SocialTaskCompletion" c, t
      WHERE c."notificationRecipient" = ${phone} AND c."notificationSender" = ${recipient.sender} AND c."id" <> ${claimId}
        AND c."notificationAttemptedAt" > t.now - make_interval(secs => ${RECIPIENT_SPACING_MS / 1_000}::float8)
        AND c."notificationStatus" <> 'COALESCED'),
    stamped AS (
      UPDATE "SocialTaskCompletion" c
      SET "notificationStatus" = 'SENDING', "notificationAttemptedAt" = t.now, "notificationAttemptId" = ${attemptId},
        "notificationNotBefore" = NULL, "notificationSender" = ${recipient.sender}, "notificationRecipient" = ${phone}, "updatedAt" = t.now
      FROM t, recent
      WHERE c."id" = ${claimId} AND recent.at IS NULL
        AND c."status" = 'VERIFIED' AND c."notificationAttemptedAt" IS NULL AND c."notificationStatus"::text = ANY(${ahead}::text[])
      RETURNING c."id"),
    attempt AS (
      INSERT INTO "NotificationAttempt" ("id", "tenantId", "completionId", "startedAt")
      SELECT ${attemptId}, ${recipient.tenantId}, stamped."id", t.now FROM stamped, t),
    coalesced AS (
      UPDATE "SocialTaskCompletion" c
      SET "notificationStatus" = 'COALESCED', "notificationCoalescedIntoId" = ${claimId}, "notificationAttemptedAt" = t.now,
        "notificationAttemptId" = ${attemptId}, "notificationNotBefore" = NULL, "notificationError" = NULL, "updatedAt" = t.now
      FROM t
      WHERE EXISTS (SELECT 1 FROM stamped)
        AND c."tenantId" = ${recipient.tenantId} AND c."userId" = ${recipient.userId} AND c."campaignId" = ${recipient.campaignId}
        AND c."id" <> ${claimId} AND c."status" = 'VERIFIED' AND c."notificationAttemptedAt" IS NULL
        AND c."notificationStatus"::text = ANY(${ahead}::text[])
      RETURNING c."id")
    SELECT t.now, coalesce((SELECT stampable FROM own), false) AS stampable, recent.at AS "recentAt",
      (SELECT count(*) FROM stamped) AS stamped,
      (SELECT count(*) FROM coalesced) AS coalesced,
      EXISTS (SELECT 1 FROM "SocialTaskCompletion" WHERE "tenantId" = ${recipient.tenantId} AND "userId" = ${recipient.userId}
        AND "notificationCoalescedIntoId" = ${claimId} AND "notificationStatus" = 'COALESCED') AS "alreadyCarrying"
    FROM t, recent`;
  if (!row) throw new Error('the stamp statement returned no row');
  // Coalesced into (or stamped by) another attempt meanwhile: lost, not "too soon" (no retry).
  if (!row.stampable) return { kind: 'lost' };
  if (row.recentAt) return { kind: 'too_soon', retryInMs: row.recentAt.getTime() + RECIPIENT_SPACING_MS - row.now.getTime() };
  if (Number(row.stamped) === 0) return { kind: 'lost' };
  // Also those an earlier attempt of this claim coalesced (it released the send to retry), and
  // those carried by a claim this one absorbed.
  const carrying = Number(row.coalesced) > 0 || row.alreadyCarrying;
  return { kind: 'stamped', carried: carrying ? await carriedBy(tx, claimId, recipient) : [] };
}

/**
 * Every notification a message carries, transitively: those coalesced into it, and those coalesced
 * into one of them. A claim that absorbed others and was then released (a proven "not sent") can be
 * absorbed itself by a sibling that stamps first; its own carried ones ride on the sibling's message.
 */
async function carriedBy(tx: Transaction, claimId: string, recipient: Recipient): Promise<CarriedNotification[]> {
  const rows = await tx.$queryRaw<{ id: string; verifiedAt: Date | null; spinsAwarded: number; title: string }[]>`
    WITH RECURSIVE carried AS (
      SELECT c."id", c."verifiedAt", c."spinsAwarded", c."taskId" FROM "SocialTaskCompletion" c
      WHERE c."tenantId" = ${recipient.tenantId} AND c."userId" = ${recipient.userId}
        AND c."notificationCoalescedIntoId" = ${claimId} AND c."notificationStatus" = 'COALESCED'
      UNION
      SELECT c."id", c."verifiedAt", c."spinsAwarded", c."taskId" FROM "SocialTaskCompletion" c JOIN carried p ON c."notificationCoalescedIntoId" = p."id"
      WHERE c."tenantId" = ${recipient.tenantId} AND c."userId" = ${recipient.userId} AND c."notificationStatus" = 'COALESCED'
    )
    SELECT carried."id", carried."verifiedAt", carried."spinsAwarded", t."title"
    FROM carried JOIN "SocialMediaTask" t ON t."id" = carried."taskId"
    WHERE carried."id" <> ${claimId}`;
  rows.sort((a, b) => (a.verifiedAt?.getTime() ?? 0) - (b.verifiedAt?.getTime() ?? 0) || a.id.localeCompare(b.id));
  return rows.map((row) => ({ claimId: row.id, taskTitle: row.title, spins: row.spinsAwarded }));
}
