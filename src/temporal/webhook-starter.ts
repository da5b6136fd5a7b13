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
export function startWebhookWorkflow(deps: StarterDeps, event: StoredDelivery, options: { deadlineMs?: number; replay?: boolean } = {}) {
  return startIdempotently(deps.temporal, options.deadlineMs ?? REQUEST_DEADLINE_MS, () =>
    deps.temporal.workflow.start<typeof processMetaWebhook>(PROCESS_WEBHOOK_WORKFLOW_TYPE, {
      workflowId: webhookWorkflowId(event.dedupeKey),
      taskQueue: deps.config.temporal.taskQueue,
      args: [{ webhookEventId: event.id }],
      workflowIdConflictPolicy: 'USE_EXISTING',
      // An operator's replay may follow a run that failed or was terminated, never one that completed.
      workflowIdReusePolicy: options.replay ? 'ALLOW_DUPLICATE_FAILED_ONLY' : 'REJECT_DUPLICATE',
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
        // A failed delivery waits for an operator (replay or discard), not for the sweeper.
        unstarted: Prisma.sql`"processedAt" IS NULL AND "failedAt" IS NULL`,
        writtenAt: 'receivedAt',
        returning: Prisma.sql`t.id, t."dedupeKey"`,
      },
      options,
    ),
  start: (deps, event, deadlineMs) => startWebhookWorkflow(deps, event, { deadlineMs }),
  /**
   * The delivery's workflow finished without marking it (terminated, or failed before it could
   * record why): it cannot be started again under REJECT_DUPLICATE. Recorded as failed, so the
   * sweeper stops picking it up and retention keeps it until an operator replays or discards it.
   */
  async closed(deps, event) {
    const marked = await deps.db.webhookEvent.updateMany({
      where: { id: event.id, processedAt: null, failedAt: null },
      data: {
        failedAt: new Date(),
        processingError: `workflow ${webhookWorkflowId(event.dedupeKey)} closed without processing this delivery; replay it (POST /api/v1/platform/webhook-events/${event.id}/replay) or discard it`,
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
