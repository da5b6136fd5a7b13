import type { TenantEvent } from '../../generated/prisma/client.js';

/** A delivery as the tenant admin sees it: the event (its exact body) and how delivering it went. */
export function toEventDeliveryView(event: TenantEvent) {
  return {
    id: event.id,
    type: event.type,
    claimId: event.claimId,
    status: event.status.toLowerCase(),
    attempts: event.attempts,
    lastStatusCode: event.lastStatusCode,
    lastError: event.lastError,
    redeliveries: event.deliveryRound,
    createdAt: event.createdAt.toISOString(),
    deliveredAt: event.deliveredAt?.toISOString() ?? null,
    failedAt: event.failedAt?.toISOString() ?? null,
    body: JSON.parse(event.body) as unknown,
  };
}
