// An end user's erasure (data rights): everything that identifies the person is removed or
// irreversibly replaced, in one transaction, while what the tenant's statistics count stays true:
// the claims keep their status, reason, method, spins and times, the spin credits stay.
//
// What changes, table by table (every table that references the user, and those that hold their
// words or number without a key):
//   EndUser            name, phone (→ "erased:<id>", still unique), handles, consent and inbound time
//                      cleared; opted out; erasedAt set. Their tokens fail from now on (requireLiveTenant).
//   EndUserHandle      deleted (the handles are free again).
//   EndUserAuditEntry  `changes` (handles) replaced by {erased: true}; one ERASED entry added.
//   Claim  handle, evidence, detail and provider error text cleared; a notification not
//                      yet sent is SKIPPED (END_USER_ERASED) only while nothing is in flight, so a
//                      waiting or still-verifying claim's workflow finds it decided and sends nothing.
//   IndexedComment / IndexedReaction  what the person wrote or reacted under their handles: deleted.
//   MessagingLimitRecipient  their number replaced (the portfolio's count stays right for its 24 h).
// Meta's raw webhook deliveries (WebhookEvent) are not rewritten: they are deleted RETENTION_DAYS after
// processing (docs/for-tenants.md).
import { NOTIFICATION_AHEAD } from '../../domain/statuses.js';
import { notFound } from '../../http/errors.js';
import type { TenantContext } from '../../http/use-case-context.js';
import { REQUEST_DEADLINE_MS, withDeadline } from '../../temporal/durable-start.js';
import { notificationSettingsChangedSignal } from '../../../workflows/definitions.js';

export const ERASED_NAME = 'Erased end user';
const erasedPhone = (endUserId: string) => `erased:${endUserId}`;
const ERASED_NOTICE = 'not sent: the end user was erased';

/** true when this call erased the user; false when they already were (the request is idempotent). */
export async function eraseEndUser(ctx: TenantContext, { endUserId }: { endUserId: string }): Promise<boolean> {
  const erased = await eraseRows(ctx, endUserId);
  if (!erased) return false;
  // Claims that were waiting to notify the user re-plan now (and end: their notification is decided)
  // instead of at their window's timer. Best effort: a missed signal only delays that end.
  for (const workflowId of erased.waitingWorkflowIds) {
    try {
      await withDeadline(ctx.deps.temporal, REQUEST_DEADLINE_MS, () =>
        ctx.deps.temporal.workflow.getHandle(workflowId).signal(notificationSettingsChangedSignal),
      );
    } catch (error) {
      ctx.deps.logger.debug({ err: error, workflowId }, 'could not wake a claim of an erased end user; it ends at its timer');
    }
  }
  return true;
}

async function eraseRows(ctx: TenantContext, endUserId: string): Promise<{ waitingWorkflowIds: string[] } | undefined> {
  const { tenantId } = ctx;
  return ctx.deps.db.$transaction(async (tx) => {
    // Locks the row: two erasures (or an erasure and an edit) of one user run one after the other.
    const [user] = await tx.$queryRaw<Array<{ id: string; phone: string; erasedAt: Date | null }>>`
      SELECT id, phone, "erasedAt" FROM "EndUser" WHERE id = ${endUserId} AND "tenantId" = ${tenantId} FOR UPDATE`;
    if (!user) throw notFound('end user');
    if (user.erasedAt) return undefined;
    const waiting = await tx.claim.findMany({
      where: { tenantId, userId: endUserId, notificationStatus: { in: [...NOTIFICATION_AHEAD] }, workflowStartedAt: { not: null } },
      select: { workflowId: true },
    });
    const handles = await tx.endUserHandle.findMany({ where: { tenantId, endUserId }, select: { platform: true, handle: true } });

    await tx.claim.updateMany({
      where: { tenantId, userId: endUserId, notificationStatus: { in: [...NOTIFICATION_AHEAD] } },
      data: { notificationStatus: 'SKIPPED', notificationReason: 'END_USER_ERASED', notificationNotBefore: null, notificationError: ERASED_NOTICE },
    });
    await tx.$executeRaw`
      UPDATE "SocialTaskCompletion"
         SET handle = NULL, evidence = NULL, detail = NULL, "updatedAt" = now(),
             "notificationError" = CASE WHEN "notificationError" IS NULL THEN NULL ELSE ${ERASED_NOTICE} END
       WHERE "tenantId" = ${tenantId} AND "userId" = ${endUserId}`;
    for (const { platform, handle } of handles) {
      await tx.indexedComment.deleteMany({ where: { tenantId, authorHandle: handle, target: { platform } } });
      await tx.indexedReaction.deleteMany({ where: { tenantId, reactorHandle: handle, target: { platform } } });
    }
    await tx.endUserHandle.deleteMany({ where: { tenantId, endUserId } });
    await tx.$executeRaw`
      UPDATE "EndUserAuditEntry" SET changes = '{"erased": true}'::jsonb WHERE "tenantId" = ${tenantId} AND "endUserId" = ${endUserId}`;
    await tx.endUserAuditEntry.create({ data: { tenantId, endUserId, action: 'ERASED', changes: { erased: true }, actorId: ctx.actor.userId } });
    await tx.$executeRaw`
      UPDATE "MessagingLimitRecipient" SET recipient = ${erasedPhone(endUserId)} WHERE recipient = ${user.phone}
         AND "businessId" IN (SELECT "businessId" FROM "WhatsappAccount" WHERE "tenantId" = ${tenantId} AND "businessId" IS NOT NULL)`;
    const now = new Date();
    await tx.endUser.update({
      where: { id: endUserId },
      data: {
        name: ERASED_NAME,
        phone: erasedPhone(endUserId),
        instagramUsername: null,
        facebookName: null,
        lastInboundAt: null,
        whatsappOptInAt: null,
        whatsappOptInSource: null,
        whatsappOptedOutAt: now,
        erasedAt: now,
      },
    });
    return { waitingWorkflowIds: waiting.map((claim) => claim.workflowId) };
  });
}
