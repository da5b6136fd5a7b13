// What Meta charges for a notification's message (status webhooks' `pricing`: category and
// billable, on one of delivered / read since v24.0). Kept on the notification whichever status
// carried it and in whatever order statuses arrived: recomputed from every status recorded for the
// message id, so running it again (a repeated webhook, the sender learning the id late) changes nothing.
import type { Database } from '../db/client.js';

export async function applyMessagePricing(db: Database, providerMessageId: string): Promise<void> {
  const priced = await db.messageStatusEvent.findFirst({
    where: { providerMessageId, OR: [{ pricingCategory: { not: null } }, { billable: { not: null } }] },
    orderBy: [{ occurredAt: 'asc' }, { id: 'asc' }],
    select: { pricingCategory: true, billable: true },
  });
  if (!priced) return;
  // Only Cloud API notifications: another provider's id must never pick up Meta's pricing.
  await db.claim.updateMany({
    where: { notificationProviderMessageId: providerMessageId, notificationChannel: 'WHATSAPP_CLOUD' },
    data: { notificationPricingCategory: priced.pricingCategory, notificationBillable: priced.billable },
  });
}
