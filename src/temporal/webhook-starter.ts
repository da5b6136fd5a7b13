// Handing a stored webhook delivery to Temporal, and the sweeper that guarantees none is left behind.
//
// The delivery is durable once its WebhookEvent row is committed; Meta gets its 200 then, even
// if Temporal is unreachable. Rows still unprocessed after a grace period are (re)started by the
// sweeper (src/temporal/durable-start.ts). Starting is idempotent by workflow id
// (`meta-webhook-{dedupeKey}`): USE_EXISTING joins a running workflow, REJECT_DUPLICATE refuses to
// run a finished one again.
import { Prisma } from '../generated/prisma/client.js';
import { PROCESS_WEBHOOK_WORKFLOW_TYPE, webhookWorkflowId } from '../../workflows/definitions.js';
import type { processMetaWebhook } from '../../workflows/process-meta-webhook.js';
import {
  leaseUnstarted,
  REQUEST_DEADLINE_MS,
  startIdempotently,
  startSweeper,
  sweepUnstarted,
  type DurableStartKind,
  type StarterDeps,
} from './durable-start.js';

interface StoredDelivery {
  readonly id: string;
  readonly dedupeKey: string;
}

/**
 * Starts (or joins) the delivery's workflow. Resolves 'started' when a workflow runs or ran for it,
 * 'closed' when a finished run already exists; throws when Temporal cannot be reached in time.
 */
export function startWebhookWorkflow(deps: StarterDeps, event: StoredDelivery, options: { deadlineMs?: number } = {}) {
  return startIdempotently(deps.temporal, options.deadlineMs ?? REQUEST_DEADLINE_MS, () =>
    deps.temporal.workflow.start<typeof processMetaWebhook>(PROCESS_WEBHOOK_WORKFLOW_TYPE, {
      workflowId: webhookWorkflowId(event.dedupeKey),
      taskQueue: deps.config.temporal.taskQueue,
      args: [{ webhookEventId: event.id }],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      staticSummary: `Meta webhook ${event.id}`,
    }),
  );
}

/** Stored deliveries not yet processed. */
export const unprocessedWebhooks: DurableStartKind<StoredDelivery> = {
  name: 'webhook',
  lease: (db, options) =>
    leaseUnstarted<StoredDelivery>(
      db,
      {
        table: 'WebhookEvent',
        unstarted: Prisma.sql`"processedAt" IS NULL`,
        writtenAt: 'receivedAt',
        returning: Prisma.sql`t.id, t."dedupeKey"`,
      },
      options,
    ),
  start: (deps, event, deadlineMs) => startWebhookWorkflow(deps, event, { deadlineMs }),
  /**
   * The delivery's workflow finished without marking it (terminated or failed by hand): it cannot
   * be started again under REJECT_DUPLICATE. processingError and processedAt let operators find it
   * (`processingError IS NOT NULL`) and stop the sweeper picking it up.
   */
  async closed(deps, event) {
    const marked = await deps.db.webhookEvent.updateMany({
      where: { id: event.id, processedAt: null },
      data: {
        processedAt: new Date(),
        processingError: `workflow ${webhookWorkflowId(event.dedupeKey)} closed without marking this event processed; inspect it in Temporal and replay by hand`,
      },
    });
    if (marked.count > 0) deps.logger.error({ webhookEventId: event.id }, 'webhook workflow closed without processing its event');
  },
};

/** How old an unprocessed delivery must be before the sweeper starts its workflow. */
export const WEBHOOK_START_GRACE_MS = 60_000;

/** Starts the workflows of deliveries stored at least `graceMs` ago and still unprocessed. Returns how many it started. */
export function startUnprocessedWebhooks(deps: StarterDeps, options: { graceMs?: number; batchSize?: number } = {}): Promise<number> {
  return sweepUnstarted(deps, unprocessedWebhooks, {
    graceMs: options.graceMs ?? WEBHOOK_START_GRACE_MS,
    ...(options.batchSize ? { batchSize: options.batchSize } : {}),
  });
}

/** Sweeps every `intervalMs` (one pass at a time) until stopped. */
export function startWebhookSweeper(deps: StarterDeps, intervalMs = 60_000): { stop(): void } {
  return startSweeper(deps, unprocessedWebhooks, { graceMs: WEBHOOK_START_GRACE_MS, intervalMs });
}
