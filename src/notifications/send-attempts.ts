// Each send attempt of a notification, kept for operators (the claim's timeline): the attempt id
// every outcome write of the claim names, when it stamped the claim (the database's clock), and how
// it ended. Written beside the notification's own outcome writes. An attempt ends once: the first
// ending wins, except SENT, which is the truth whenever it comes (an attempt that outlived its
// timeout and then heard the provider accept the message; Meta's status webhook naming it).
import type { Database } from '../db/client.js';
import { Prisma } from '../generated/prisma/client.js';

/**
 * SENT: the provider took the message. FAILED: refused for good. UNKNOWN: an unclear answer (it may
 * have gone out). RELEASED: nothing went out (429, 503 with Retry-After, rejected credentials); a
 * retry followed. INTERRUPTED: ended without recording anything (worker killed, timeout); found by
 * a later attempt or the plan, which recorded UNKNOWN for the notification.
 */
export const SEND_ATTEMPT_OUTCOMES = ['SENT', 'FAILED', 'UNKNOWN', 'RELEASED', 'INTERRUPTED'] as const;
export type SendAttemptOutcome = (typeof SEND_ATTEMPT_OUTCOMES)[number];

// The attempt's row is written with its stamp (send-stamp.ts).
export async function recordAttemptEnd(
  db: Pick<Database, '$executeRaw'>,
  attemptId: string,
  outcome: SendAttemptOutcome,
  detail: string | null,
): Promise<void> {
  await db.$executeRaw`${attemptEndStatement(attemptId, outcome, detail)}`;
}

/** The UPDATE that ends an attempt (as a statement of its own, or inside another's WITH). */
export function attemptEndStatement(attemptId: string, outcome: SendAttemptOutcome, detail: string | null): Prisma.Sql {
  const overrides = outcome === 'SENT';
  return Prisma.sql`
    UPDATE "NotificationAttempt"
    SET "outcome" = ${outcome}, "detail" = ${detail?.slice(0, 1_000) ?? null}, "endedAt" = clock_timestamp() AT TIME ZONE 'UTC'
    WHERE "id" = ${attemptId} AND ("outcome" IS NULL OR (${overrides} AND "outcome" <> 'SENT'))`;
}
