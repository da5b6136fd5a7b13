// Starting tenant-event deliveries. Events are written by a trigger (the outbox) in the statement that
// changed the claim, so nothing writes them that could also start their workflow: a sweeper in the
// API process starts every PENDING event whose round has no workflow yet, every couple of seconds,
// under a lease (durable-start.ts) so several API processes never start the same one twice (the
// workflow id would refuse it anyway).
import { Prisma } from '../generated/prisma/client.js';
import { DELIVER_TENANT_EVENT_WORKFLOW_TYPE, tenantEventWorkflowId, type DeliverTenantEventInput } from '../../workflows/tenant-event-definitions.js';
import { leaseUnstarted, startIdempotently, startSweeper, type DurableStartKind, type StarterDeps } from '../temporal/durable-start.js';
import { markEventFailed } from './deliver-event.js';

interface DueEvent {
  readonly id: string;
  readonly deliveryRound: number;
}

export async function startTenantEventWorkflow(deps: StarterDeps, event: DueEvent, deadlineMs: number) {
  const input: DeliverTenantEventInput = { eventId: event.id, round: event.deliveryRound, retryWindowMs: deps.config.eventsWebhookRetryWindowMs };
  const outcome = await startIdempotently(deps.temporal, deadlineMs, () =>
    deps.temporal.workflow.start(DELIVER_TENANT_EVENT_WORKFLOW_TYPE, {
      workflowId: tenantEventWorkflowId(event.id, event.deliveryRound),
      taskQueue: deps.config.temporal.taskQueue,
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      staticSummary: `Tenant event ${event.id}`,
    }),
  );
  await deps.db.tenantEvent.updateMany({ where: { id: event.id, deliveryRound: event.deliveryRound }, data: { workflowStartedAt: new Date() } });
  return outcome;
}

export const unstartedTenantEvents: DurableStartKind<DueEvent> = {
  name: 'tenant event',
  lease: (db, options) =>
    leaseUnstarted<DueEvent>(
      db,
      {
        table: 'TenantEvent',
        unstarted: Prisma.sql`status = 'PENDING' AND "workflowStartedAt" IS NULL`,
        writtenAt: 'createdAt',
        returning: Prisma.sql`t.id, t."deliveryRound"`,
      },
      options,
    ),
  start: (deps, event, deadlineMs) => startTenantEventWorkflow(deps, event, deadlineMs),
  /** This round's workflow closed without settling the event (terminated by hand): recorded as failed. */
  async closed(deps, event) {
    await markEventFailed(deps.db, { eventId: event.id, round: event.deliveryRound, reason: 'the delivery workflow closed without delivering' });
  },
};

/** Events are only ever started here: no grace period, a short interval. */
export function startTenantEventSweeper(deps: StarterDeps, options: { intervalMs?: number } = {}) {
  return startSweeper(deps, unstartedTenantEvents, { graceMs: 0, intervalMs: options.intervalMs ?? 2_000 });
}
