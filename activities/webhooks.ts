// Processing of a stored Meta webhook delivery. The workflow passes only the WebhookEvent id and
// change positions; every activity loads the payload itself (payloads can be megabytes and carry
// users' messages: they stay out of Temporal history). Every step is idempotent, so retries and
// re-runs apply each event once: statuses merge as a join under a row lock, lastInboundAt only
// moves forward, account status writes are conditional.
import { ApplicationFailure } from '@temporalio/activity';
import { ACCOUNT_EVENT_FIELDS, decideAccountEvent } from '../src/webhooks/account-events.js';
import { applyAccountEvent } from '../src/webhooks/apply-account-event.js';
import { applyCapabilityUpdate, CAPABILITY_FIELD } from '../src/webhooks/apply-capability-update.js';
import { applyTemplateStatus, TEMPLATE_STATUS_FIELD } from '../src/webhooks/apply-template-status.js';
import { applyCommentChange, COMMENT_FIELDS } from '../src/webhooks/apply-comment-change.js';
import { applyMessagesChange } from '../src/webhooks/apply-messages-change.js';
import { locateChange, outlinePayload, type ChangePosition, type PayloadOutline } from '../src/webhooks/meta-payload.js';
import type { ChangeOutcome, ProcessedItem, WebhookProcessingResult } from '../src/webhooks/processing-result.js';
import { countWebhookItems } from '../src/observability/business-metrics.js';
import type { ActivityDeps } from './deps.js';
import { FailureType } from './failures.js';

/** The results the processMetaWebhook workflow sums up (activity result types, for the workflow). */
export type { ChangeOutcome, ProcessingCounts, TenantSummary, UnmatchedItem, WebhookProcessingResult } from '../src/webhooks/processing-result.js';

/** The change fields the items metric names; any other is labelled 'other'. */
const COUNTED_FIELDS = new Set(['messages', ...ACCOUNT_EVENT_FIELDS]);

export function createWebhookActivities(deps: Pick<ActivityDeps, 'db' | 'temporal' | 'config' | 'logger' | 'secrets' | 'graph'>) {
  const { db } = deps;

  const loadPayload = async (webhookEventId: string) => {
    const event = await db.webhookEvent.findUnique({ where: { id: webhookEventId }, select: { payload: true } });
    if (!event) {
      throw ApplicationFailure.create({ type: FailureType.Permanent, nonRetryable: true, message: `webhook event ${webhookEventId} does not exist` });
    }
    return event.payload;
  };

  const applyChange = async (webhookEventId: string, payload: unknown, position: ChangePosition): Promise<ChangeOutcome> => {
    const located = locateChange(payload, position);
    const field = located?.field ?? '(missing field)';
    const outcome = (items: ProcessedItem[]): ChangeOutcome => ({ ...position, field, items });
    if (!located || located.field === undefined) {
      return outcome([{ kind: 'other', outcome: 'unmatched', detail: 'change without a field' }]);
    }
    if (field === 'messages') {
      return outcome(await applyMessagesChange(db, located.value, { webhookEventId, now: new Date(), consent: deps }));
    }
    if (ACCOUNT_EVENT_FIELDS.has(field)) {
      const decision = decideAccountEvent(field, located.value, located.entryId);
      if ('malformed' in decision) return outcome([{ kind: 'account', outcome: 'unmatched', detail: decision.malformed }]);
      return outcome(await applyAccountEvent(deps, decision, located.entryTime));
    }
    if (field === TEMPLATE_STATUS_FIELD) return outcome(await applyTemplateStatus(deps, located.value, located.entryId));
    if (field === CAPABILITY_FIELD) return outcome(await applyCapabilityUpdate(deps, located.value, located.entryId));
    if (COMMENT_FIELDS.has(field)) return outcome(await applyCommentChange(db, field, located.value, located.entryTime));
    return outcome([{ kind: 'other', outcome: 'ignored', detail: `field ${field} is stored but not processed` }]);
  };

  return {
    /** Which changes the delivery holds (positions and fields only). */
    async outlineWebhookEvent(webhookEventId: string): Promise<PayloadOutline> {
      return outlinePayload(await loadPayload(webhookEventId));
    },

    /** Applies a run of changes of one delivery; one outcome per change, for the history. */
    async applyWebhookChanges(input: { webhookEventId: string; changes: ChangePosition[] }): Promise<ChangeOutcome[]> {
      const payload = await loadPayload(input.webhookEventId);
      const outcomes: ChangeOutcome[] = [];
      for (const position of input.changes) outcomes.push(await applyChange(input.webhookEventId, payload, position));
      countWebhookItems(outcomes, COUNTED_FIELDS);
      return outcomes;
    },

    /** Marks the delivery processed with what was applied; tenantId when exactly one tenant was concerned. */
    async markWebhookProcessed(input: { webhookEventId: string; result: WebhookProcessingResult }): Promise<void> {
      const { result } = input;
      const soleTenant = result.tenantIds.length === 1 ? result.tenantIds[0]! : null;
      // A tenant deleted meanwhile cannot be referenced; the result still names it.
      const tenantId = soleTenant && (await db.tenant.count({ where: { id: soleTenant } })) > 0 ? soleTenant : null;
      await db.webhookEvent.update({
        where: { id: input.webhookEventId },
        data: {
          processedAt: new Date(),
          result: result as object,
          tenantId,
          unmatchedTenantIds: result.unmatchedTenantIds,
          processingError: null,
          failedAt: null,
        },
      });
    },

    /**
     * Processing gave up (an activity ran out of its schedule-to-close): recorded on the delivery,
     * which then waits for an operator (replay or discard) instead of retrying forever, and is kept
     * out of retention meanwhile. A delivery processed meanwhile is left as it is.
     */
    async markWebhookFailed(input: { webhookEventId: string; reason: string }): Promise<void> {
      await db.webhookEvent.updateMany({
        where: { id: input.webhookEventId, processedAt: null },
        data: { failedAt: new Date(), processingError: input.reason.slice(0, 2_000) },
      });
    },
  };
}
