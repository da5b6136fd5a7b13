// Every write of a notification's outcome, each conditional on what the writer knows:
//   - an attempt that stamped the claim (SENDING + its attempt id) records its own outcome only
//     while the stamp is still its own, so a late attempt (one that outlived its timeout) can
//     never release or overwrite what its successor recorded;
//   - a decision made before any send (skip, fail, hold) applies only while nothing is in flight;
//   - a stamp left by an attempt that never reported becomes UNKNOWN, never a resend.
import { randomUUID } from 'node:crypto';
import type { Database } from '../db/client.js';
import type { Logger } from '../logger.js';
import type { NotificationReason } from '../domain/notification-reason.js';
import { NOTIFICATION_AHEAD, type NotificationStatus } from '../domain/statuses.js';
import { countNotificationOutcome } from '../observability/business-metrics.js';
import { adoptWaitingStatuses } from './message-status.js';
import { recordAttemptEnd, recordAttemptStart } from './send-attempts.js';

export interface SendAttempt {
  readonly claimId: string;
  readonly attemptId: string;
}

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

export type StampResult =
  | { kind: 'stamped'; attempt: SendAttempt; carried: CarriedNotification[] }
  /** Another message went to this end user less than RECIPIENT_SPACING_MS ago: nothing stamped. */
  | { kind: 'too_soon'; retryInMs: number }
  /** Another attempt holds it, or it is decided. */
  | { kind: 'lost' };

/** WhatsApp accepts one message per 6 s from a number to one recipient (131056); we keep to it per such pair. */
export const RECIPIENT_SPACING_MS = 6_000;

export interface SentMessage {
  readonly channelName: 'WHATSAPP_CLOUD' | 'TENANT_PROVIDER' | 'PLATFORM_PROVIDER';
  readonly providerMessageId: string | undefined;
}

const INTERRUPTED = 'an earlier send attempt ended without recording its outcome; not resent to avoid a duplicate';
const ahead = { in: [...NOTIFICATION_AHEAD] };

type Transaction = Parameters<Parameters<Database['$transaction']>[0]>[0];

/**
 * Every notification a message carries, transitively: those coalesced into it, and those coalesced
 * into one of them. A claim that absorbed others and was then released (a proven "not sent") can be
 * absorbed itself by a sibling that stamps first; its own carried ones ride on the sibling's message.
 */
async function carriedBy(tx: Transaction, claimId: string, recipient: Recipient): Promise<CarriedNotification[]> {
  const found: { id: string; verifiedAt: Date | null; spinsAwarded: number; task: { title: string } }[] = [];
  const seen = new Set([claimId]);
  for (let frontier = [claimId]; frontier.length > 0; ) {
    const rows = await tx.claim.findMany({
      where: {
        tenantId: recipient.tenantId,
        userId: recipient.userId,
        notificationCoalescedIntoId: { in: frontier },
        notificationStatus: 'COALESCED',
      },
      select: { id: true, verifiedAt: true, spinsAwarded: true, task: { select: { title: true } } },
    });
    const fresh = rows.filter((row) => !seen.has(row.id));
    for (const row of fresh) seen.add(row.id);
    found.push(...fresh);
    frontier = fresh.map((row) => row.id);
  }
  found.sort((a, b) => (a.verifiedAt?.getTime() ?? 0) - (b.verifiedAt?.getTime() ?? 0) || a.id.localeCompare(b.id));
  return found.map((row) => ({ claimId: row.id, taskTitle: row.task.title, spins: row.spinsAwarded }));
}

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
        // The database's clock, read once the lock is held: stamps written by other workers are
        // compared with it, so a worker's own clock (skewed by seconds) never decides the spacing.
        const [{ now }] = (await tx.$queryRaw<{ now: Date }[]>`SELECT clock_timestamp() AS now`) as [{ now: Date }];
        // Coalesced into (or stamped by) another attempt meanwhile: lost, not "too soon" (no retry).
        const own = await tx.claim.findUnique({
          where: { id: claimId },
          select: { status: true, notificationStatus: true, notificationAttemptedAt: true },
        });
        const stampable = own?.status === 'VERIFIED' && own.notificationAttemptedAt === null && NOTIFICATION_AHEAD.includes(own.notificationStatus);
        if (!stampable) return { kind: 'lost' } as const;
        const recent = await tx.claim.findFirst({
          where: {
            notificationRecipient: phone,
            notificationSender: recipient.sender,
            id: { not: claimId },
            notificationAttemptedAt: { gt: new Date(now.getTime() - RECIPIENT_SPACING_MS) },
            notificationStatus: { not: 'COALESCED' },
          },
          orderBy: { notificationAttemptedAt: 'desc' },
          select: { notificationAttemptedAt: true },
        });
        if (recent?.notificationAttemptedAt)
          return { kind: 'too_soon', retryInMs: recent.notificationAttemptedAt.getTime() + RECIPIENT_SPACING_MS - now.getTime() } as const;
        const stamped = await tx.claim.updateMany({
          where: { id: claimId, status: 'VERIFIED', notificationAttemptedAt: null, notificationStatus: ahead },
          data: {
            notificationStatus: 'SENDING',
            notificationAttemptedAt: now,
            notificationAttemptId: attemptId,
            notificationNotBefore: null,
            notificationSender: recipient.sender,
            notificationRecipient: phone,
          },
        });
        if (stamped.count === 0) return { kind: 'lost' } as const;
        await recordAttemptStart(tx, { id: attemptId, tenantId: recipient.tenantId, claimId, startedAt: now });
        await tx.claim.updateMany({
          where: {
            tenantId: recipient.tenantId,
            userId: recipient.userId,
            campaignId: recipient.campaignId,
            id: { not: claimId },
            status: 'VERIFIED',
            notificationAttemptedAt: null,
            notificationStatus: ahead,
          },
          data: {
            notificationStatus: 'COALESCED',
            notificationCoalescedIntoId: claimId,
            notificationAttemptedAt: now,
            notificationAttemptId: attemptId,
            notificationNotBefore: null,
            notificationError: null,
          },
        });
        // Also those an earlier attempt of this claim coalesced (it released the send to retry), and
        // those carried by a claim this one absorbed.
        return { kind: 'stamped', attempt: { claimId, attemptId }, carried: await carriedBy(tx, claimId, recipient) } as const;
      });
    },

    /**
     * The provider took the message. Also over an UNKNOWN that a successor recorded for this very
     * attempt: only this attempt sent anything, and now we know it did.
     */
    async recordSent(attempt: SendAttempt, sent: SentMessage): Promise<NotificationStatus> {
      const record = (from: 'SENDING' | 'UNKNOWN') =>
        claims.updateMany({
          where: { id: attempt.claimId, notificationAttemptId: attempt.attemptId, notificationStatus: from },
          data: {
            notificationStatus: 'SENT',
            notificationChannel: sent.channelName,
            notificationProviderMessageId: sent.providerMessageId ?? null,
            notificationSentAt: new Date(),
            notificationError: null,
            notificationNotBefore: null,
            notificationReason: null,
          },
        });
      const recorded = (await record('SENDING')).count > 0;
      if (recorded) countNotificationOutcome('SENT', sent.channelName);
      // The provider took it, whatever the row says by now (a successor's UNKNOWN, Meta's statuses).
      await recordAttemptEnd(db, attempt.attemptId, 'SENT', sent.providerMessageId ? `message id ${sent.providerMessageId}` : null);
      if (recorded) return 'SENT';
      // Rare: a successor already counted this attempt as UNKNOWN; correct the row, not the count.
      return (await record('UNKNOWN')).count > 0 ? 'SENT' : currentStatus(attempt.claimId);
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
