// A platform admin's handling of Meta deliveries whose processing failed (failedAt set): list them,
// replay one (a new run of its workflow, ALLOW_DUPLICATE_FAILED_ONLY: never after a completed run;
// every processing step is idempotent), or discard one (marked processed, pruned by retention later).
// Never shows a payload: users' messages stay in the database.
import type { AppDeps } from '../../http/deps.js';
import { AppError, notFound } from '../../http/errors.js';
import { pageArgs, toPage } from '../../http/pagination.js';
import type { PlatformContext } from '../../http/use-case-context.js';
import { startWebhookWorkflow } from '../../temporal/webhook-starter.js';

const viewFields = { id: true, object: true, receivedAt: true, processedAt: true, failedAt: true, discardedAt: true, processingError: true } as const;
type Row = {
  id: string;
  object: string | null;
  receivedAt: Date;
  processedAt: Date | null;
  failedAt: Date | null;
  discardedAt: Date | null;
  processingError: string | null;
};

/** How long a replay holds the start sweeper off the row while it starts the workflow itself. */
const REPLAY_LEASE_MS = 60_000;

function toView(row: Row) {
  return {
    id: row.id,
    object: row.object,
    receivedAt: row.receivedAt.toISOString(),
    processedAt: row.processedAt?.toISOString() ?? null,
    failedAt: row.failedAt?.toISOString() ?? null,
    discardedAt: row.discardedAt?.toISOString() ?? null,
    error: row.processingError,
  };
}

export async function listFailedDeliveries(ctx: PlatformContext, page: { limit: number; cursor?: string | undefined }) {
  const { where, ...order } = pageArgs(page, { key: 'receivedAt' });
  const rows = await ctx.deps.db.webhookEvent.findMany({
    where: { AND: [{ processedAt: null, failedAt: { not: null } }, where] },
    select: viewFields,
    ...order,
  });
  return toPage(rows, page.limit, toView, (row) => row.receivedAt);
}

async function findOr404(deps: AppDeps, id: string) {
  const row = await deps.db.webhookEvent.findUnique({ where: { id }, select: { ...viewFields, dedupeKey: true } });
  if (!row) throw notFound('webhook event');
  return row;
}

const notFailed = (row: Row) =>
  new AppError('INVALID_STATE', 'only a delivery whose processing failed can be replayed or discarded', {
    processedAt: row.processedAt?.toISOString() ?? null,
    failedAt: row.failedAt?.toISOString() ?? null,
  });

export async function replayFailedDelivery(ctx: PlatformContext, { webhookEventId }: { webhookEventId: string }) {
  const { deps } = ctx;
  const event = await findOr404(deps, webhookEventId);
  if (event.failedAt === null) throw notFailed(event);
  // Unfailed and leased in one write: the start sweeper leaves it to this request meanwhile.
  const taken = await deps.db.webhookEvent.updateMany({
    where: { id: event.id, failedAt: event.failedAt },
    data: { failedAt: null, processedAt: null, discardedAt: null, startLeaseUntil: new Date(Date.now() + REPLAY_LEASE_MS) },
  });
  if (taken.count === 0) throw notFailed(await findOr404(deps, webhookEventId));
  let outcome;
  try {
    outcome = await startWebhookWorkflow(deps, event, { replay: true });
  } catch (error) {
    await restoreFailure(deps, event);
    throw new AppError(
      'UPSTREAM_UNAVAILABLE',
      'the workflow service (Temporal) could not be reached in time; nothing was changed, try again',
      undefined,
      {
        cause: error,
      },
    );
  }
  if (outcome === 'closed') {
    // A completed run exists: it was processed after all; its workflow is not run again.
    await restoreFailure(deps, event);
    throw new AppError('INVALID_STATE', 'the delivery was already processed by a completed run; it is not run again', {});
  }
  return toView(await findOr404(deps, webhookEventId));
}

/** The replay did not start: the delivery is failed again, as it was. */
async function restoreFailure(deps: AppDeps, event: Row) {
  await deps.db.webhookEvent.updateMany({
    where: { id: event.id, processedAt: null, failedAt: null },
    data: { failedAt: event.failedAt, processedAt: event.processedAt, discardedAt: event.discardedAt, startLeaseUntil: null },
  });
}

export async function discardFailedDelivery(ctx: PlatformContext, { webhookEventId }: { webhookEventId: string }) {
  const { deps } = ctx;
  const now = new Date();
  const discarded = await deps.db.webhookEvent.updateMany({
    where: { id: webhookEventId, failedAt: { not: null }, processedAt: null },
    data: { processedAt: now, discardedAt: now },
  });
  const row = await findOr404(deps, webhookEventId);
  if (discarded.count === 0) throw notFailed(row);
  return toView(row);
}
