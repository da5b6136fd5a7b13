// The contract's completion view, shared by the admin (/completions) and end-user (/claims) APIs.
// Optional fields are always present, as null when unknown. Internal columns (evidence, the
// notification attempt marker, workflowStartedAt) and anything secret are never shown.
import type { SocialTaskCompletion } from '../../generated/prisma/client.js';

const iso = (date: Date | null) => date?.toISOString() ?? null;

export function toCompletionView(row: SocialTaskCompletion) {
  return {
    id: row.id,
    taskId: row.taskId,
    campaignId: row.campaignId,
    userId: row.userId,
    status: row.status,
    detail: row.detail,
    handle: row.handle,
    claimedAt: row.claimedAt.toISOString(),
    verifiedAt: iso(row.verifiedAt),
    verificationMethod: row.verificationMethod,
    spinsAwarded: row.spinsAwarded,
    workflowId: row.workflowId,
    notification: {
      status: row.notificationStatus,
      notBefore: iso(row.notificationNotBefore),
      sentAt: iso(row.notificationSentAt),
      channel: row.notificationChannel,
      providerMessageId: row.notificationProviderMessageId,
      error: row.notificationError,
    },
  };
}

export type CompletionView = ReturnType<typeof toCompletionView>;
