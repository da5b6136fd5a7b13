// Handing a stored webhook delivery to Temporal, and the sweeper that guarantees none is left behind.
//
// The delivery is durable once its WebhookEvent row is committed; Meta gets its 200 then, even
// if Temporal is unreachable. Rows still unprocessed after a grace period are (re)started by
// `startUnprocessedWebhooks`, which the API or worker process runs periodically
// (`startWebhookSweeper`). Starting is idempotent by workflow id (`meta-webhook-{dedupeKey}`):
// USE_EXISTING joins a running workflow, REJECT_DUPLICATE refuses to run a finished one again.
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { AppConfig } from '../../config.js';
import type { Database } from '../../db/client.js';
import type { Logger } from '../../logger.js';
import { PROCESS_WEBHOOK_WORKFLOW_TYPE } from '../../../workflows/definitions.js';
import type { ProcessWebhookInput } from '../../../workflows/process-meta-webhook.js';
import { runPeriodically } from '../../temporal/periodic-sweep.js';

export interface WebhookStarterDeps {
  readonly config: AppConfig;
  readonly db: Database;
  readonly temporal: Client;
  readonly logger: Logger;
}

export const webhookWorkflowId = (dedupeKey: string) => `meta-webhook-${dedupeKey}`;

/** How long the webhook request waits for Temporal before answering anyway (the sweeper takes over). */
export const START_DEADLINE_MS = 3_000;

/**
 * Starts (or joins) the delivery's workflow. Resolves 'started' when a workflow runs or ran for it,
 * 'closed' when a finished run already exists; throws when Temporal cannot be reached.
 */
export async function startWebhookWorkflow(
  deps: WebhookStarterDeps,
  event: { id: string; dedupeKey: string },
  options: { deadlineMs?: number } = {},
): Promise<'started' | 'closed'> {
  const input: ProcessWebhookInput = { webhookEventId: event.id };
  try {
    await deps.temporal.withDeadline(Date.now() + (options.deadlineMs ?? START_DEADLINE_MS), () =>
      deps.temporal.workflow.start(PROCESS_WEBHOOK_WORKFLOW_TYPE, {
        workflowId: webhookWorkflowId(event.dedupeKey),
        taskQueue: deps.config.temporal.taskQueue,
        args: [input],
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        staticSummary: `Meta webhook ${event.id}`,
      }),
    );
    return 'started';
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return 'closed';
    throw error;
  }
}

/**
 * Starts the workflows of deliveries stored at least `graceMs` ago and still unprocessed (Temporal
 * was unreachable when they arrived, or the process died in between). Returns how many it started.
 *
 * A row whose workflow already finished without marking it (terminated or failed by hand) cannot
 * be started again under REJECT_DUPLICATE; it gets processingError and processedAt so the sweeper
 * stops picking it up and operators can find it (`processingError IS NOT NULL`).
 */
export async function startUnprocessedWebhooks(
  deps: WebhookStarterDeps,
  options: { graceMs?: number; limit?: number } = {},
): Promise<number> {
  const cutoff = new Date(Date.now() - (options.graceMs ?? 60_000));
  const pending = await deps.db.webhookEvent.findMany({
    where: { processedAt: null, receivedAt: { lte: cutoff } },
    select: { id: true, dedupeKey: true },
    orderBy: [{ receivedAt: 'asc' }, { id: 'asc' }],
    take: options.limit ?? 100,
  });
  let started = 0;
  for (const event of pending) {
    try {
      const outcome = await startWebhookWorkflow(deps, event, { deadlineMs: 10_000 });
      if (outcome === 'started') {
        started++;
        continue;
      }
      const marked = await deps.db.webhookEvent.updateMany({
        where: { id: event.id, processedAt: null },
        data: {
          processedAt: new Date(),
          processingError: `workflow ${webhookWorkflowId(event.dedupeKey)} closed without marking this event processed; inspect it in Temporal and replay by hand`,
        },
      });
      if (marked.count > 0) deps.logger.error({ webhookEventId: event.id }, 'webhook workflow closed without processing its event');
    } catch (error) {
      deps.logger.warn({ err: error, webhookEventId: event.id }, 'could not start webhook workflow; will retry');
    }
  }
  if (started > 0) deps.logger.info({ started }, 'started webhook workflows left unstarted');
  return started;
}

/** Runs `startUnprocessedWebhooks` every `intervalMs` (one pass at a time) until stopped. */
export function startWebhookSweeper(deps: WebhookStarterDeps, intervalMs = 60_000): { stop(): void } {
  return runPeriodically('webhook sweeper', () => startUnprocessedWebhooks(deps), intervalMs, deps.logger);
}
