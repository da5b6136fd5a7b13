// One workflow per stored Meta webhook delivery, id `meta-webhook-{sha256 of the body}`: Meta's
// retries and duplicates carry the same bytes, so they map to this same workflow and are applied
// once (the API starts it with conflict policy USE_EXISTING and reuse policy REJECT_DUPLICATE).
//
// The history is the operator's record: one activity result per run of changes lists every item
// with what happened to it (applied, kept for later, ignored, unmatched and why), and the workflow
// result (also stored in WebhookEvent.result) sums it up per tenant. Deterministic sandbox code:
// only ids and positions go to activities; the payload stays in the database.
import { ActivityFailure } from '@temporalio/workflow';
import { webhookActivities, webhookFailureActivities } from './activity-stubs.js';
import type { ChangeOutcome, ProcessingCounts, TenantSummary, UnmatchedItem, WebhookProcessingResult } from '../activities/webhooks.js';

export interface ProcessWebhookInput {
  readonly webhookEventId: string;
}

/** Changes per activity: one payload load per run, and a retry repeats at most this many (idempotent) changes. */
const CHANGES_PER_ACTIVITY = 25;
const MAX_UNMATCHED_LISTED = 100;

/**
 * Processes the delivery; when an activity gives up (its schedule-to-close, or a permanent error),
 * the failure is recorded on the delivery (failedAt, processingError) and the run fails, so the
 * delivery waits for an operator's replay or discard (POST /platform/webhook-events/:id/replay).
 */
export async function processMetaWebhook(input: ProcessWebhookInput): Promise<WebhookProcessingResult> {
  try {
    return await processDelivery(input);
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error;
    const cause = error.cause?.message ?? error.message;
    await webhookFailureActivities.markWebhookFailed({ webhookEventId: input.webhookEventId, reason: `processing gave up: ${cause}` });
    throw error;
  }
}

async function processDelivery(input: ProcessWebhookInput): Promise<WebhookProcessingResult> {
  const { webhookEventId } = input;
  const outline = await webhookActivities.outlineWebhookEvent(webhookEventId);
  const outcomes: ChangeOutcome[] = outline.skipped.map((skip) => ({
    entryIndex: skip.entryIndex,
    changeIndex: null,
    field: '(none)',
    items: [{ kind: 'other', outcome: 'ignored', detail: skip.reason }],
  }));
  for (let start = 0; start < outline.changes.length; start += CHANGES_PER_ACTIVITY) {
    const changes = outline.changes.slice(start, start + CHANGES_PER_ACTIVITY).map(({ entryIndex, changeIndex }) => ({ entryIndex, changeIndex }));
    outcomes.push(...(await webhookActivities.applyWebhookChanges({ webhookEventId, changes })));
  }
  const result = summarize(outline.object, outline.changes.length, outcomes);
  await webhookActivities.markWebhookProcessed({ webhookEventId, result });
  return result;
}

type MutableCounts = { -readonly [K in keyof ProcessingCounts]-?: number };
const zero = (): MutableCounts => ({
  statusesApplied: 0,
  statusesKept: 0,
  inboundRecorded: 0,
  accountEventsApplied: 0,
  commentsIndexed: 0,
  ignored: 0,
  unmatchedTotal: 0,
});

function summarize(object: string | null, changeCount: number, outcomes: ChangeOutcome[]): WebhookProcessingResult {
  const total = zero();
  const unmatched: UnmatchedItem[] = [];
  const tenants = new Map<string, { counts: MutableCounts; unmatched: UnmatchedItem[] }>();

  for (const change of outcomes) {
    for (const item of change.items) {
      const slice = item.tenantId === undefined ? undefined : tenantSlice(tenants, item.tenantId);
      const bump = (key: keyof MutableCounts) => {
        total[key]++;
        if (slice) slice.counts[key]++;
      };
      if (item.outcome === 'unmatched') {
        bump('unmatchedTotal');
        const listed: UnmatchedItem = {
          entry: change.entryIndex,
          change: change.changeIndex,
          field: change.field,
          kind: item.kind,
          ...(item.ref === undefined ? {} : { ref: item.ref }),
          reason: item.detail,
        };
        if (unmatched.length < MAX_UNMATCHED_LISTED) unmatched.push(listed);
        if (slice && slice.unmatched.length < MAX_UNMATCHED_LISTED) slice.unmatched.push(listed);
      } else if (item.outcome === 'ignored') {
        bump('ignored');
      } else if (item.outcome === 'kept') {
        bump('statusesKept');
      } else if (item.kind === 'status') {
        bump('statusesApplied');
      } else if (item.kind === 'inbound') {
        bump('inboundRecorded');
      } else if (item.kind === 'account') {
        bump('accountEventsApplied');
      } else if (item.kind === 'comment') {
        bump('commentsIndexed');
      }
    }
  }

  const byTenant: Record<string, TenantSummary> = {};
  for (const [tenantId, slice] of [...tenants.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    byTenant[tenantId] = { ...slice.counts, unmatched: slice.unmatched };
  }
  const tenantIds = Object.keys(byTenant);
  return {
    object,
    changes: changeCount,
    ...total,
    unmatched,
    tenantIds,
    unmatchedTenantIds: tenantIds.filter((id) => byTenant[id]!.unmatchedTotal > 0),
    byTenant,
  };
}

function tenantSlice(tenants: Map<string, { counts: MutableCounts; unmatched: UnmatchedItem[] }>, tenantId: string) {
  let slice = tenants.get(tenantId);
  if (!slice) {
    slice = { counts: zero(), unmatched: [] };
    tenants.set(tenantId, slice);
  }
  return slice;
}
