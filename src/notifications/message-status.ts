// Delivery statuses from Meta's webhooks, applied to the notification of the claim whose
// providerMessageId (the wamid) they name.
//
// Every status is recorded first in MessageStatusEvent (unique per message id and status, so
// Meta's duplicates are no-ops). Applying then recomputes the notification from the current row
// and *all* statuses recorded for the id (delivery-status.ts: a join, order-independent), under a
// row lock. That makes application safe to run concurrently and repeatedly, from two webhook
// workflows at once or from the send activity that has just learnt the id:
//   - webhook: INSERT status (committed) → look for the claim;
//   - sender:  UPDATE claim with the id (committed) → applyPendingMessageStatuses.
// Whichever runs second sees the other's commit, so a status that arrives before our own send is
// recorded is never lost: it waits (appliedAt null) and is applied when the id appears.
//
// A send attempt that dies after Meta accepted its message never records the id. Meta's statuses
// carry our claim id back (biz_opaque_callback_data), kept with the waiting status, and the
// notification adopts the message when it is found interrupted (becomes UNKNOWN) in the same
// transaction, or when such a status arrives for a notification already UNKNOWN:
//   - notification: UPDATE to UNKNOWN (row locked) → look for waiting statuses naming it;
//   - webhook:      INSERT status (committed) → UPDATE the notification where UNKNOWN.
// Again whichever runs second sees the other: the webhook's UPDATE waits for the row lock.
import type { Database } from '../db/client.js';
import { isNotificationSent } from '../domain/statuses.js';
import { mergeDeliveryStatuses } from './delivery-status.js';

export interface MessageStatusInput {
  readonly providerMessageId: string;
  /** The tenant owning the business number that reported the status, when known */
  readonly tenantId?: string | null;
  readonly status: string;
  readonly occurredAt: Date;
  readonly errorCode?: number | null;
  readonly errorTitle?: string | null;
  /** pricing.category / pricing.billable of the status, when Meta sent them */
  readonly pricingCategory?: string | null;
  readonly billable?: boolean | null;
  readonly webhookEventId?: string | null;
  /** Echo of the biz_opaque_callback_data we sent (our claim id) */
  readonly bizOpaqueCallbackData?: string | null;
  /** Tenant owning the business number that reported the status, when we know the number */
  readonly accountTenantId?: string | null;
}

type Transaction = Parameters<Parameters<Database['$transaction']>[0]>[0];

export interface AppliedNotification {
  readonly claimId: string;
  readonly tenantId: string;
  readonly from: string;
  readonly to: string;
}

export interface StatusApplication {
  /** Notifications (normally one) whose message id this is, with their status before and after. */
  readonly notifications: AppliedNotification[];
  /** Recorded statuses marked applied by this call. */
  readonly statusesMarkedApplied: number;
}

/** Records one status; false when the same (message id, status) was already recorded. */
export async function recordMessageStatus(db: Database, input: MessageStatusInput): Promise<boolean> {
  const created = await db.messageStatusEvent.createMany({
    data: [
      {
        providerMessageId: input.providerMessageId,
        tenantId: input.tenantId ?? null,
        status: input.status,
        occurredAt: input.occurredAt,
        errorCode: input.errorCode ?? null,
        errorTitle: input.errorTitle ?? null,
        pricingCategory: input.pricingCategory ?? null,
        billable: input.billable ?? null,
        webhookEventId: input.webhookEventId ?? null,
        callbackData: input.bizOpaqueCallbackData ?? null,
        accountTenantId: input.accountTenantId ?? null,
      },
    ],
    skipDuplicates: true,
  });
  return created.count === 1;
}

/**
 * Applies every status recorded for `providerMessageId` to the notification that sent it. Call it
 * right after recording a providerMessageId (a status may have arrived first). Idempotent and safe
 * to run concurrently; a no-op while no notification has the id.
 *
 * Only Cloud API notifications are matched: Meta's statuses describe Cloud API messages, and an id
 * returned by a tenant's own provider must never pick up statuses of someone else's wamid.
 */
/**
 * Whether any status names this message id yet: a sender that has just recorded the id finds none
 * in the usual case (Meta's webhooks come later) and has nothing to apply. Read after the id is
 * committed, it is the sender's half of the protocol above: a status committed later is the
 * webhook's to apply.
 */
export async function hasMessageStatuses(db: Database, providerMessageId: string): Promise<boolean> {
  const found = await db.messageStatusEvent.findFirst({ where: { providerMessageId }, select: { id: true } });
  return found !== null;
}

export async function applyPendingMessageStatuses(db: Database, providerMessageId: string): Promise<StatusApplication> {
  return db.$transaction((tx) => applyMessageStatusesIn(tx, providerMessageId));
}

/** applyPendingMessageStatuses inside the caller's transaction. */
async function applyMessageStatusesIn(tx: Transaction, providerMessageId: string): Promise<StatusApplication> {
  const locked = await tx.$queryRaw<{ id: string }[]>`
      SELECT "id" FROM "SocialTaskCompletion"
      WHERE "notificationProviderMessageId" = ${providerMessageId} AND "notificationChannel" = 'WHATSAPP_CLOUD'
      ORDER BY "id"
      FOR UPDATE`;
  if (locked.length === 0) return { notifications: [], statusesMarkedApplied: 0 };

  const reports = await tx.messageStatusEvent.findMany({
    where: { providerMessageId },
    orderBy: [{ occurredAt: 'asc' }, { id: 'asc' }],
  });
  const claims = await tx.claim.findMany({
    where: { id: { in: locked.map((row) => row.id) } },
    select: { id: true, tenantId: true, notificationStatus: true, notificationError: true, notificationSentAt: true },
    orderBy: { id: 'asc' },
  });
  const notifications: AppliedNotification[] = [];
  for (const claim of claims) {
    const merged = mergeDeliveryStatuses(claim, reports);
    // An UNKNOWN send resolved by Meta: the earliest status tells roughly when it went out.
    const sentAt = claim.notificationSentAt === null && isNotificationSent(merged.notificationStatus) ? reports[0]?.occurredAt : undefined;
    if (merged.changed || sentAt) {
      await tx.claim.update({
        where: { id: claim.id },
        data: {
          notificationStatus: merged.notificationStatus,
          notificationError: merged.notificationError,
          ...(sentAt ? { notificationSentAt: sentAt } : {}),
        },
      });
    }
    notifications.push({
      claimId: claim.id,
      tenantId: claim.tenantId,
      from: claim.notificationStatus,
      to: merged.notificationStatus,
    });
  }
  const marked = await tx.messageStatusEvent.updateMany({
    where: { providerMessageId, appliedAt: null },
    data: { appliedAt: new Date() },
  });
  return { notifications, statusesMarkedApplied: marked.count };
}

/**
 * A send whose outcome was ambiguous (UNKNOWN, no message id) is identified by the
 * biz_opaque_callback_data we sent with it (the claim id), within the tenant that owns the
 * sending number. Adopting the wamid lets its statuses resolve the notification forward.
 * Returns false when there is no such UNKNOWN notification (nothing is touched).
 */
export async function adoptUnknownNotification(
  db: Database,
  input: { claimId: string; tenantId: string; providerMessageId: string },
): Promise<boolean> {
  const adopted = await db.claim.updateMany({
    where: { id: input.claimId, tenantId: input.tenantId, notificationStatus: 'UNKNOWN', notificationProviderMessageId: null },
    data: { notificationProviderMessageId: input.providerMessageId, notificationChannel: 'WHATSAPP_CLOUD', notificationAdoptedAt: new Date() },
  });
  return adopted.count === 1;
}

export type ReceivedStatus = MessageStatusInput;

/**
 * For a notification that has just become UNKNOWN, inside the transaction that made it so: adopts
 * the message that waiting statuses name by its claim id (reported by a number of its own
 * tenant) and applies them. Returns whether it adopted one.
 */
export async function adoptWaitingStatuses(tx: Transaction, claim: { id: string; tenantId: string }): Promise<boolean> {
  const waiting = await tx.messageStatusEvent.findFirst({
    where: { callbackData: claim.id, accountTenantId: claim.tenantId },
    orderBy: [{ occurredAt: 'asc' }, { id: 'asc' }],
    select: { providerMessageId: true },
  });
  if (!waiting) return false;
  const adopted = await tx.claim.updateMany({
    where: { id: claim.id, notificationStatus: 'UNKNOWN', notificationProviderMessageId: null },
    data: { notificationProviderMessageId: waiting.providerMessageId, notificationChannel: 'WHATSAPP_CLOUD', notificationAdoptedAt: new Date() },
  });
  if (adopted.count === 0) return false;
  await applyMessageStatusesIn(tx, waiting.providerMessageId);
  return true;
}

export interface ReceivedStatusOutcome extends StatusApplication {
  /** False for a repeat of an already recorded (message id, status) */
  readonly newlyRecorded: boolean;
  /** No notification has this message id yet: the status waits for it */
  readonly kept: boolean;
}

/** Records a status from a webhook and applies it (or keeps it until the message id appears). */
export async function receiveMessageStatus(db: Database, input: ReceivedStatus): Promise<ReceivedStatusOutcome> {
  const newlyRecorded = await recordMessageStatus(db, { ...input, tenantId: input.accountTenantId ?? null });
  let application = await applyPendingMessageStatuses(db, input.providerMessageId);
  if (application.notifications.length === 0 && input.bizOpaqueCallbackData && input.accountTenantId) {
    const adopted = await adoptUnknownNotification(db, {
      claimId: input.bizOpaqueCallbackData,
      tenantId: input.accountTenantId,
      providerMessageId: input.providerMessageId,
    });
    // Not adopted: the notification may have adopted this very message meanwhile (it became
    // UNKNOWN and found the status recorded above), so look again.
    if (adopted || (await hasMessage(db, input.providerMessageId))) application = await applyPendingMessageStatuses(db, input.providerMessageId);
  }
  return { ...application, newlyRecorded, kept: application.notifications.length === 0 };
}

async function hasMessage(db: Database, providerMessageId: string): Promise<boolean> {
  return (await db.claim.count({ where: { notificationProviderMessageId: providerMessageId } })) > 0;
}
