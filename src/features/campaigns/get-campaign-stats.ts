// A campaign's statistics for its tenant admin: claims by status, reason and verification method,
// spins credited, notifications by status, reason and channel with delivery and read rates, the median and
// 95th percentile of claim → verified and verified → sent; the whole campaign and per task.
// Counted in PostgreSQL (campaign-stats-queries.ts); here only the aggregate rows are folded.
import { CLAIM_STATUSES, NOTIFICATION_STATUSES, VERIFICATION_METHODS } from '../../domain/statuses.js';
import type { TenantContext } from '../../http/use-case-context.js';
import { aggregateCampaignClaims, type ClaimGroupRow, type DurationBucketRow } from './campaign-stats-queries.js';
import { durationFigures } from './duration-percentiles.js';
import { findCampaignOr404 } from './get-campaign.js';

/** Channels whose deliveries Meta reports (delivered / read): the basis of the rates. */
const RECEIPT_CHANNELS = ['WHATSAPP_CLOUD'];

const zeros = (keys: readonly string[]) => Object.fromEntries(keys.map((key) => [key, 0])) as Record<string, number>;
const add = (counts: Record<string, number>, key: string, n: number) => {
  counts[key] = (counts[key] ?? 0) + n;
};
const ratio = (part: number, whole: number) => (whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000);

function foldGroups(rows: readonly ClaimGroupRow[]) {
  const claims = {
    total: 0,
    byStatus: zeros(CLAIM_STATUSES),
    byReason: {} as Record<string, number>,
    byMethod: zeros(VERIFICATION_METHODS),
    spinsCredited: 0,
  };
  const notifications = {
    total: 0,
    byStatus: zeros(NOTIFICATION_STATUSES),
    byReason: {} as Record<string, number>,
    byChannel: {} as Record<string, number>,
    /** Meta's pricing category of sent messages, where their statuses said it */
    byPricingCategory: {} as Record<string, number>,
    wentOut: 0,
  };
  const receipts = { sent: 0, delivered: 0, read: 0 };
  for (const row of rows) {
    claims.total += row.claims;
    add(claims.byStatus, row.status, row.claims);
    if (row.reason) add(claims.byReason, row.reason, row.claims);
    if (row.method) add(claims.byMethod, row.method, row.claims);
    claims.spinsCredited += row.spins;
    // Only verified claims are notified: a failed claim's notification fields say nothing.
    if (row.status !== 'VERIFIED') continue;
    notifications.total += row.claims;
    add(notifications.byStatus, row.notificationStatus, row.claims);
    if (row.notificationReason) add(notifications.byReason, row.notificationReason, row.claims);
    if (row.channel) add(notifications.byChannel, row.channel, row.claims);
    if (row.pricingCategory) add(notifications.byPricingCategory, row.pricingCategory, row.claims);
    if (row.wentOut) notifications.wentOut += row.claims;
    if (row.wentOut && row.channel && RECEIPT_CHANNELS.includes(row.channel)) {
      receipts.sent += row.claims;
      if (row.notificationStatus === 'DELIVERED' || row.notificationStatus === 'READ') receipts.delivered += row.claims;
      if (row.notificationStatus === 'READ') receipts.read += row.claims;
    }
  }
  return {
    claims,
    notifications: {
      ...notifications,
      // Over messages sent on channels that report receipts (the WhatsApp Cloud API); custom providers report none.
      delivery: {
        basis: RECEIPT_CHANNELS,
        ...receipts,
        deliveryRate: ratio(receipts.delivered, receipts.sent),
        readRate: ratio(receipts.read, receipts.sent),
      },
    },
  };
}

const ofTask = <T extends { taskId: string }>(rows: readonly T[], taskId: string) => rows.filter((row) => row.taskId === taskId);
const timingsOf = (claimToVerified: readonly DurationBucketRow[], verifiedToSent: readonly DurationBucketRow[]) => ({
  claimToVerified: durationFigures(claimToVerified),
  verifiedToSent: durationFigures(verifiedToSent),
});

export async function getCampaignStats(ctx: TenantContext, input: { campaignId: string }) {
  const campaign = await findCampaignOr404(ctx.db, input.campaignId);
  const [{ groups, claimToVerified, verifiedToSent }, tasks] = await Promise.all([
    aggregateCampaignClaims(ctx.deps.db, ctx.tenantId, campaign.id),
    ctx.db.socialMediaTask.findMany({
      where: { campaignId: campaign.id },
      select: { id: true, title: true, platform: true, actionType: true, verificationStrategy: true },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    }),
  ]);
  return {
    campaignId: campaign.id,
    generatedAt: new Date().toISOString(),
    ...foldGroups(groups),
    timings: timingsOf(claimToVerified, verifiedToSent),
    tasks: tasks.map((task) => ({
      taskId: task.id,
      title: task.title,
      platform: task.platform,
      actionType: task.actionType,
      verificationStrategy: task.verificationStrategy,
      ...foldGroups(ofTask(groups, task.id)),
      timings: timingsOf(ofTask(claimToVerified, task.id), ofTask(verifiedToSent, task.id)),
    })),
  };
}
