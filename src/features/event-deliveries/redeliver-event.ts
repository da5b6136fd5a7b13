// Sends an event again (after the tenant fixed its receiver): a new delivery round with its own
// workflow and a fresh retry window, the same id and body (the receiver de-duplicates by id).
import { AppError, notFound } from '../../http/errors.js';
import type { TenantContext } from '../../http/use-case-context.js';
import { REQUEST_DEADLINE_MS } from '../../temporal/durable-start.js';
import { startTenantEventWorkflow } from '../../tenant-events/event-starter.js';
import { toEventDeliveryView } from './event-delivery-view.js';

export async function redeliverEvent(ctx: TenantContext, { eventId }: { eventId: string }) {
  const { db } = ctx;
  const event = await db.tenantEvent.findUnique({ where: { id: eventId } });
  if (!event) throw notFound('event delivery');
  const tenant = await db.tenant.findUnique({ where: { id: ctx.tenantId }, select: { eventsWebhook: true, eventsWebhookDisabledAt: true } });
  if (!tenant?.eventsWebhook || tenant.eventsWebhookDisabledAt) {
    throw new AppError('NOT_CONFIGURED', 'the events webhook is not configured or is disabled: set eventsWebhook in the tenant settings first');
  }
  if (event.status === 'PENDING') throw new AppError('INVALID_STATE', 'this event is being delivered', { status: 'pending' });
  const round = event.deliveryRound + 1;
  const moved = await db.tenantEvent.updateMany({
    where: { id: eventId, deliveryRound: event.deliveryRound, status: event.status },
    data: {
      status: 'PENDING',
      deliveryRound: round,
      attempts: 0,
      lastError: null,
      lastStatusCode: null,
      deliveredAt: null,
      failedAt: null,
      workflowStartedAt: null,
      startLeaseUntil: null,
    },
  });
  if (moved.count === 0) throw new AppError('INVALID_STATE', 'this event is being redelivered already', { status: 'pending' });
  try {
    await startTenantEventWorkflow(ctx.deps, { id: eventId, deliveryRound: round }, REQUEST_DEADLINE_MS);
  } catch (error) {
    // The row is PENDING and unstarted: the sweeper starts it.
    ctx.deps.logger.warn({ err: error, eventId }, 'could not start the redelivery; the sweeper will');
  }
  return toEventDeliveryView(await db.tenantEvent.findUniqueOrThrow({ where: { id: eventId } }));
}
