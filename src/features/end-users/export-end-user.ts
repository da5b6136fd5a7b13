// Everything we hold about one end user (data rights: access and portability), as one JSON
// document: the profile and WhatsApp consent, bound handles and the audit of changes to them, every
// claim with its task, evidence and notification (and Meta's delivery statuses for it), the spin
// credits, and what the person wrote or reacted on watched posts under their handles.
import type { TenantContext } from '../../http/use-case-context.js';
import { findEndUserOr404 } from './get-end-user.js';

const iso = (value: Date | null | undefined) => value?.toISOString() ?? null;

export async function exportEndUser(ctx: TenantContext, { endUserId }: { endUserId: string }) {
  const { db } = ctx;
  const user = await findEndUserOr404(db, endUserId);
  const [handles, audit, claims, credits] = await Promise.all([
    db.endUserHandle.findMany({ where: { endUserId }, orderBy: { createdAt: 'asc' } }),
    db.endUserAuditEntry.findMany({ where: { endUserId }, orderBy: { createdAt: 'asc' } }),
    db.claim.findMany({
      where: { userId: endUserId },
      orderBy: [{ claimedAt: 'asc' }, { id: 'asc' }],
      include: { task: { select: { title: true, platform: true, actionType: true } }, campaign: { select: { name: true } } },
    }),
    db.spinCredit.findMany({ where: { userId: endUserId }, orderBy: { createdAt: 'asc' } }),
  ]);
  const messageIds = claims.flatMap((claim) =>
    claim.notificationChannel === 'WHATSAPP_CLOUD' && claim.notificationProviderMessageId ? [claim.notificationProviderMessageId] : [],
  );
  const [statuses, comments, reactions] = await Promise.all([
    messageIds.length === 0
      ? []
      : ctx.deps.db.messageStatusEvent.findMany({ where: { providerMessageId: { in: messageIds } }, orderBy: { occurredAt: 'asc' } }),
    handles.length === 0
      ? []
      : db.indexedComment.findMany({
          // The comment index is not tenant-scoped by the extension: filtered by tenant here.
          where: { tenantId: ctx.tenantId, OR: handles.map((handle) => ({ authorHandle: handle.handle, target: { platform: handle.platform } })) },
          include: { target: { select: { platform: true, targetId: true } } },
          orderBy: { createdTime: 'asc' },
        }),
    handles.length === 0
      ? []
      : db.indexedReaction.findMany({
          where: { tenantId: ctx.tenantId, OR: handles.map((handle) => ({ reactorHandle: handle.handle, target: { platform: handle.platform } })) },
          include: { target: { select: { platform: true, targetId: true } } },
        }),
  ]);
  return {
    exportedAt: new Date().toISOString(),
    profile: {
      id: user.id,
      name: user.name,
      phone: user.phone,
      instagramUsername: user.instagramUsername,
      facebookName: user.facebookName,
      lastInboundAt: iso(user.lastInboundAt),
      createdAt: iso(user.createdAt),
      updatedAt: iso(user.updatedAt),
    },
    consent: {
      whatsappOptIn: user.whatsappOptInAt ? { at: iso(user.whatsappOptInAt), source: user.whatsappOptInSource } : null,
      whatsappOptedOutAt: iso(user.whatsappOptedOutAt),
    },
    handles: handles.map((handle) => ({ platform: handle.platform, handle: handle.handle, boundAt: iso(handle.createdAt) })),
    audit: audit.map((entry) => ({ at: iso(entry.createdAt), action: entry.action, changes: entry.changes, actorId: entry.actorId })),
    claims: claims.map((claim) => ({
      id: claim.id,
      campaign: { id: claim.campaignId, name: claim.campaign.name },
      task: { id: claim.taskId, title: claim.task.title, platform: claim.task.platform, actionType: claim.task.actionType },
      status: claim.status,
      reason: claim.reason,
      detail: claim.detail,
      handle: claim.handle,
      proofCode: claim.proofCode,
      evidence: claim.evidence,
      claimedAt: iso(claim.claimedAt),
      verifiedAt: iso(claim.verifiedAt),
      verificationMethod: claim.verificationMethod,
      spinsAwarded: claim.spinsAwarded,
      notification: {
        status: claim.notificationStatus,
        reason: claim.notificationReason,
        channel: claim.notificationChannel,
        sentAt: iso(claim.notificationSentAt),
        providerMessageId: claim.notificationProviderMessageId,
        error: claim.notificationError,
        deliveryStatuses: statuses
          .filter((status) => claim.notificationChannel === 'WHATSAPP_CLOUD' && status.providerMessageId === claim.notificationProviderMessageId)
          .map((status) => ({ status: status.status, at: iso(status.occurredAt) })),
      },
    })),
    spinCredits: credits.map((credit) => ({ completionId: credit.claimId, amount: credit.amount, at: iso(credit.createdAt) })),
    commentsOnWatchedPosts: comments.map((comment) => ({
      platform: comment.target.platform,
      targetId: comment.target.targetId,
      commentId: comment.commentId,
      authorName: comment.authorName,
      text: comment.text,
      createdTime: iso(comment.createdTime),
    })),
    reactionsOnWatchedPosts: reactions.map((reaction) => ({
      platform: reaction.target.platform,
      targetId: reaction.target.targetId,
      reactorName: reaction.reactorName,
      reactionType: reaction.reactionType,
    })),
  };
}
