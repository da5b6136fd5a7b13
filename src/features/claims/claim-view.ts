// The claim view (docs/openapi.yaml), shared by the admin (/completions) and end-user (/claims) APIs.
// Optional fields are always present, as null when unknown. Internal columns (evidence, the
// notification attempt marker, workflowStartedAt) and anything secret are never shown.
import { publicReason, publicSentence } from '../../domain/claim-reason.js';
import type { Claim } from '../../generated/prisma/client.js';

const iso = (date: Date | null) => date?.toISOString() ?? null;

export function toClaimView(row: Claim) {
  return {
    id: row.id,
    taskId: row.taskId,
    campaignId: row.campaignId,
    userId: row.userId,
    status: row.status,
    /** Short code (src/domain/claim-reason.ts); null before anything was decided */
    reason: row.reason,
    detail: row.detail,
    handle: row.handle,
    proofCode: row.proofCode,
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
      /** Why it waits, was skipped or failed (src/domain/notification-reason.ts); our code, never Meta's words */
      reason: row.notificationReason,
      /** What Meta charges the message as (pricing.category of its status webhooks) and whether it is billable */
      pricingCategory: row.notificationPricingCategory,
      billable: row.notificationBillable,
      /** COALESCED: the claim whose message carried this notification */
      coalescedInto: row.notificationCoalescedIntoId,
    },
  };
}

/**
 * The end user's view of their own claim: the same fields, but `reason` is the public code and
 * `detail` our sentence for it. Meta's and providers' words, Graph ids, provider message ids and
 * how the task was checked (which would tell them which tasks are not really checked) stay with
 * the tenant.
 */
export function toEndUserClaimView(row: Claim) {
  const full = toClaimView(row);
  const reason = publicReason(row.reason, row.status);
  return {
    ...full,
    reason,
    detail: publicSentence(reason),
    verificationMethod: null,
    notification: { ...full.notification, providerMessageId: null, error: null, pricingCategory: null, billable: null },
  };
}
