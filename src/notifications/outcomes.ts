// Every write of a notification's outcome, each conditional on what the writer knows:
//   - an attempt that stamped the claim (SENDING + its attempt id) records its own outcome only
//     while the stamp is still its own, so a late attempt (one that outlived its timeout) can
//     never release or overwrite what its successor recorded;
//   - a decision made before any send (skip, fail, hold) applies only while nothing is in flight;
//   - a stamp left by an attempt that never reported becomes UNKNOWN, never a resend.
import { randomUUID } from 'node:crypto';
import type { Database } from '../db/client.js';
import { Prisma } from '../generated/prisma/client.js';
import type { Logger } from '../logger.js';
import type { NotificationReason } from '../domain/notification-reason.js';
import { NOTIFICATION_AHEAD, type NotificationStatus } from '../domain/statuses.js';
import { countNotificationOutcome } from '../observability/business-metrics.js';
import { adoptWaitingStatuses } from './message-status.js';
import { attemptEndStatement, recordAttemptEnd } from './send-attempts.js';
import { type CarriedNotification, type Recipient, stampStatement } from './send-stamp.js';

export interface SendAttempt {
  readonly claimId: string;
  readonly attemptId: string;
}

export type { CarriedNotification, Recipient } from './send-stamp.js';

export type StampResult =
  | { kind: 'stamped'; attempt: SendAttempt; carried: CarriedNotification[] }
  /** Another message went to this end user less than RECIPIENT_SPACING_MS ago: nothing stamped. */
  | { kind: 'too_soon'; retryInMs: number }
  /** Another attempt holds it, or it is decided. */
  | { kind: 'lost' };

export { RECIPIENT_SPACING_MS } from './send-stamp.js';

export interface SentMessage {
  readonly channelName: 'WHATSAPP_CLOUD' | 'TENANT_PROVIDER' | 'PLATFORM_PROVIDER';
  readonly providerMessageId: string | undefined;
}

const INTERRUPTED = 'an earlier send attempt ended without recording its outcome; not resent to avoid a duplicate';
const ahead = { in: [...NOTIFICATION_AHEAD] };

export function createNotificationOutcomes(db: Database, logger: Logger) {
  const claims = db.claim;

  async function currentStatus(claimId: string): Promise<NotificationStatus> {
    const row = await claims.findUniqueOrThrow({ where: { id: claimId }, select: { notificationStatus: true } });
    return row.notificationStatus;
  }

  /**
   * Records UNKNOWN for the stamp of `attemptId` (still SENDING) and, in the same transaction, adopts
   * the message Meta's waiting statuses name by this claim: a status webhook that came while
   * the row was SENDING turns it SENT/DELIVERED instead. Whether the row became UNKNOWN (or better).
   */
  async function becomeUnknown(
    claimId: string,
    attemptId: string | null,
    reason: string,
    ended: 'UNKNOWN' | 'INTERRUPTED',
  ): Promise<{ changed: boolean; adopted: boolean }> {
    return db.$transaction(async (tx) => {
      const resolved = await tx.claim.updateMany({
        where: { id: claimId, notificationStatus: 'SENDING', notificationAttemptId: attemptId },
        data: { notificationStatus: 'UNKNOWN', notificationError: reason, notificationNotBefore: null },
      });
      if (resolved.count === 0) return { changed: false, adopted: false };
      const { tenantId } = await tx.claim.findUniqueOrThrow({ where: { id: claimId }, select: { tenantId: true } });
      const adopted = await adoptWaitingStatuses(tx, { id: claimId, tenantId });
      if (attemptId) {
        await recordAttemptEnd(
          tx,
          attemptId,
          adopted ? 'SENT' : ended,
          adopted ? `${reason}; Meta's status webhook showed Meta had the message` : reason,
        );
      }
      return { changed: true, adopted };
    });
  }

  /** The stamp of an attempt that never reported becomes UNKNOWN (only that stamp: a newer one is left alone). */
  async function resolveInterrupted(claimId: string, reason: string = INTERRUPTED): Promise<NotificationStatus> {
    const row = await claims.findUniqueOrThrow({
      where: { id: claimId },
      select: { notificationStatus: true, notificationAttemptId: true },
    });
    if (row.notificationStatus !== 'SENDING') return row.notificationStatus;
    const resolved = await becomeUnknown(claimId, row.notificationAttemptId, reason, 'INTERRUPTED');
    if (resolved.adopted) {
      countNotificationOutcome('SENT', null);
      logger.info({ completionId: claimId }, 'interrupted send resolved by a status webhook: Meta has the message');
    } else if (resolved.changed) {
      countNotificationOutcome('UNKNOWN', null);
      logger.warn({ completionId: claimId }, 'notification outcome unknown after an interrupted attempt');
    }
    return currentStatus(claimId);
  }

  return {
    currentStatus,
    resolveInterrupted,

    /**
     * Claims the send for a new attempt, one message per (sending number, recipient number) at a
     * time. In one transaction, under a lock per such pair: no message from this number to this
     * phone in the last 6 s (else nothing is stamped); the stamp;
     * and the same user's other notifications of this campaign that are due (verified, not yet
     * attempted: the same campaign has the same window and channel, so what lets this one go lets
     * them go) become COALESCED into this one under the same attempt id, so they are carried by
     * this message and can never be sent on their own. (A notify-now on one claim carries its
     * verified siblings along: one message rather than a second within minutes.)
     */
    async stamp(claimId: string, recipient: Recipient): Promise<StampResult> {
      const attemptId = randomUUID();
      return db.$transaction(async (tx) => {
        const phone = recipient.phone.replace(/\D/g, '');
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`notify:${recipient.sender}:${phone}`}))`;
        // The checks and writes read the database's clock once the lock is held: stamps written by
        // other workers are compared with it, so a worker's own clock (skewed by seconds) never
        // decides the spacing.
        const stamped = await stampStatement(tx, claimId, attemptId, recipient, phone);
        if (stamped.kind !== 'stamped') return stamped;
        return { kind: 'stamped', attempt: { claimId, attemptId }, carried: stamped.carried } as const;
      });
    },

    /**
     * The provider took the message. Also over an UNKNOWN that a successor recorded for this very
     * attempt: only this attempt sent anything, and now we know it did.
     */
    async recordSent(attempt: SendAttempt, sent: SentMessage): Promise<NotificationStatus> {
      const sentAt = new Date();
      const detail = sent.providerMessageId ? `message id ${sent.providerMessageId}` : null;
      const record = (from: 'SENDING' | 'UNKNOWN') => Prisma.sql`
        UPDATE "SocialTaskCompletion"
        SET "notificationStatus" = 'SENT', "notificationChannel" = CAST(${sent.channelName}::text AS "NotificationChannel"),
          "notificationProviderMessageId" = ${sent.providerMessageId ?? null}, "notificationSentAt" = ${sentAt},
          "notificationError" = NULL, "notificationNotBefore" = NULL, "notificationReason" = NULL, "updatedAt" = ${sentAt}
        WHERE "id" = ${attempt.claimId} AND "notificationAttemptId" = ${attempt.attemptId} AND "notificationStatus"::text = ${from}
        RETURNING "id"`;
      // The row and the attempt in one statement. The attempt ends SENT whatever the row says by
      // now (a successor's UNKNOWN, Meta's statuses): the provider took it.
      const [row] = await db.$queryRaw<{ recorded: bigint | number }[]>`
        WITH sent AS (${record('SENDING')}), ended AS (${attemptEndStatement(attempt.attemptId, 'SENT', detail)})
        SELECT count(*) AS recorded FROM sent`;
      const recorded = Number(row?.recorded ?? 0) > 0;
      if (recorded) {
        countNotificationOutcome('SENT', sent.channelName);
        return 'SENT';
      }
      // Rare: a successor already counted this attempt as UNKNOWN; correct the row, not the count.
      return (await db.$executeRaw`${record('UNKNOWN')}`) > 0 ? 'SENT' : currentStatus(attempt.claimId);
    },

    /** This attempt's final outcome (UNKNOWN, FAILED) on `channel`, with a reason code, while the stamp is still its own. */
    async finishAttempt(
      attempt: SendAttempt,
      status: 'UNKNOWN' | 'FAILED',
      error: string,
      details: { channel?: SentMessage['channelName']; reason?: NotificationReason | null } = {},
    ): Promise<NotificationStatus> {
      if (status === 'UNKNOWN') {
        const resolved = await becomeUnknown(attempt.claimId, attempt.attemptId, error, 'UNKNOWN');
        if (resolved.changed) countNotificationOutcome(resolved.adopted ? 'SENT' : 'UNKNOWN', details.channel);
        return resolved.changed && !resolved.adopted ? 'UNKNOWN' : currentStatus(attempt.claimId);
      }
      const finished = await claims.updateMany({
        where: { id: attempt.claimId, notificationAttemptId: attempt.attemptId, notificationStatus: 'SENDING' },
        data: { notificationStatus: status, notificationError: error, notificationNotBefore: null, notificationReason: details.reason ?? null },
      });
      if (finished.count === 0) return currentStatus(attempt.claimId);
      await recordAttemptEnd(db, attempt.attemptId, status, error);
      countNotificationOutcome(status, details.channel);
      return status;
    },

    /** Meta refused this attempt for a reason of WhatsApp's rules (opt-out, marketing cap): FAILED with that reason. */
    async failAttemptFor(attempt: SendAttempt, reason: NotificationReason, error: string): Promise<NotificationStatus> {
      const failed = await claims.updateMany({
        where: { id: attempt.claimId, notificationAttemptId: attempt.attemptId, notificationStatus: 'SENDING' },
        data: { notificationStatus: 'FAILED', notificationError: error, notificationNotBefore: null, notificationReason: reason },
      });
      if (failed.count === 0) return currentStatus(attempt.claimId);
      await recordAttemptEnd(db, attempt.attemptId, 'FAILED', error);
      countNotificationOutcome('FAILED', null);
      return 'FAILED';
    },

    /** Nothing went out: give the send back for a retry. False when the stamp is no longer this attempt's. */
    async release(attempt: SendAttempt, error: string): Promise<boolean> {
      const released = await claims.updateMany({
        where: { id: attempt.claimId, notificationAttemptId: attempt.attemptId, notificationStatus: 'SENDING' },
        data: { notificationStatus: 'PENDING', notificationAttemptedAt: null, notificationAttemptId: null, notificationError: error },
      });
      if (released.count > 0) await recordAttemptEnd(db, attempt.attemptId, 'RELEASED', error);
      return released.count > 0;
    },

    /** A decision taken before any send (skip, fail): only while nothing is in flight or decided. */
    async finishWhileAhead(
      claimId: string,
      status: 'SKIPPED' | 'FAILED',
      error: string,
      reason: NotificationReason | null = null,
    ): Promise<NotificationStatus> {
      const finished = await claims.updateMany({
        where: { id: claimId, notificationStatus: ahead },
        data: { notificationStatus: status, notificationError: error, notificationNotBefore: null, notificationReason: reason },
      });
      if (finished.count > 0) {
        countNotificationOutcome(status, null);
        return status;
      }
      const current = await currentStatus(claimId);
      return current === 'SENDING' ? resolveInterrupted(claimId) : current;
    },

    /**
     * Nothing went out and a rule of WhatsApp's says when to try again: give the send back and let
     * the notification wait (WAITING_FOR_WINDOW, `notBefore`, `reason`). False when the stamp is no
     * longer this attempt's.
     */
    async releaseToWait(attempt: SendAttempt, wait: { reason: NotificationReason; error: string; notBefore: Date }): Promise<boolean> {
      const released = await claims.updateMany({
        where: { id: attempt.claimId, notificationAttemptId: attempt.attemptId, notificationStatus: 'SENDING' },
        data: {
          notificationStatus: 'WAITING_FOR_WINDOW',
          notificationAttemptedAt: null,
          notificationAttemptId: null,
          notificationError: wait.error,
          notificationReason: wait.reason,
          notificationNotBefore: wait.notBefore,
        },
      });
      // Meta's answer proved nothing went out: the attempt ends released, as a retry's would.
      if (released.count > 0) await recordAttemptEnd(db, attempt.attemptId, 'RELEASED', wait.error);
      return released.count > 0;
    },

    /** A rule of WhatsApp's keeps a notification that is still ahead waiting until `notBefore`. */
    async waitWhileAhead(claimId: string, wait: { reason: NotificationReason; error: string; notBefore: Date }): Promise<boolean> {
      const waiting = await claims.updateMany({
        where: { id: claimId, notificationStatus: ahead },
        data: {
          notificationStatus: 'WAITING_FOR_WINDOW',
          notificationError: wait.error,
          notificationReason: wait.reason,
          notificationNotBefore: wait.notBefore,
        },
      });
      return waiting.count > 0;
    },

    /** Why the notification is not going out yet (held), shown while it is still ahead. */
    async noteWhileAhead(claimId: string, error: string): Promise<void> {
      await claims.updateMany({ where: { id: claimId, notificationStatus: ahead }, data: { notificationError: error } });
    },
  };
}

export type NotificationOutcomes = ReturnType<typeof createNotificationOutcomes>;
