// The tenant's event deliveries, newest first; `?status=failed` is what did not arrive.
import { pageArgs, toPage } from '../../http/pagination.js';
import type { TenantContext } from '../../http/use-case-context.js';
import type { ListEventDeliveriesQuery } from './event-delivery-input.js';
import { toEventDeliveryView } from './event-delivery-view.js';

export async function listEventDeliveries(ctx: TenantContext, query: ListEventDeliveriesQuery) {
  const page = pageArgs(query);
  const rows = await ctx.db.tenantEvent.findMany({
    ...page,
    where: { ...page.where, ...(query.status ? { status: query.status.toUpperCase() } : {}) },
  });
  return toPage(rows, query.limit, toEventDeliveryView);
}
