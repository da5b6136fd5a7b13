// Worker-side metrics and log context, from outside the activities: an inbound interceptor that
// sees each activity's type, its workflow, its result or failure, and the claim row before and
// after. Activity code stays free of metrics calls.
//
// Claim metrics count *transitions* of the completion row during one activity attempt (PENDING →
// VERIFIED/FAILED; a notification reaching SENT/UNKNOWN/FAILED/SKIPPED), so a retried or repeated
// activity that finds the work done counts nothing, whatever its return shape.
import { ApplicationFailure, type Context } from '@temporalio/activity';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, ActivityInterceptorsFactory, Next } from '@temporalio/worker';
import { FailureType } from '../../activities/failures.js';
import type { Database } from '../db/client.js';
import { isNotificationFinal, isNotificationSent } from '../domain/statuses.js';
import type { Logger } from '../logger.js';
import { ACCOUNT_EVENT_FIELDS } from '../webhooks/account-events.js';
import { runWithLogContext } from './log-context.js';
import { boundedLabel, metrics } from './metrics.js';

const CLAIM_WORKFLOW_ID = /^claim-([0-9a-f-]{36})$/i;
const WEBHOOK_FIELDS = new Set(['messages', ...ACCOUNT_EVENT_FIELDS]);

interface ClaimRow {
  status: string;
  verificationMethod: string | null;
  notificationStatus: string;
  notificationChannel: string | null;
}

export function observeActivities(db: Database, logger: Logger): ActivityInterceptorsFactory {
  return (ctx) => ({ inbound: new ObservingActivityInbound(ctx, db, logger) });
}

class ObservingActivityInbound implements ActivityInboundCallsInterceptor {
  constructor(
    private readonly ctx: Context,
    private readonly db: Database,
    private readonly logger: Logger,
  ) {}

  async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const activity = this.ctx.info.activityType;
    const completionId = CLAIM_WORKFLOW_ID.exec(this.ctx.info.workflowExecution?.workflowId ?? '')?.[1];
    return runWithLogContext(completionId ? { completionId } : {}, async () => {
      const before = completionId ? await this.heartbeatingWhile(this.claimRow(completionId)) : undefined;
      const started = process.hrtime.bigint();
      try {
        const result = await next(input);
        metrics.activities.inc({ activity, outcome: 'completed' });
        this.logger.debug(
          { activity, attempt: this.ctx.info.attempt, workflowId: this.ctx.info.workflowExecution?.workflowId },
          'activity completed',
        );
        recordResult(activity, result);
        if (completionId && before) recordClaimTransition(before, await this.heartbeatingWhile(this.claimRow(completionId)), result);
        return result;
      } catch (error) {
        metrics.activities.inc({ activity, outcome: 'failed' });
        this.logger.info(
          {
            activity,
            attempt: this.ctx.info.attempt,
            workflowId: this.ctx.info.workflowExecution?.workflowId,
            error: error instanceof Error ? error.message : String(error),
          },
          'activity attempt failed',
        );
        recordFailure(activity, error);
        throw error;
      } finally {
        metrics.activityDuration.observe({ activity }, Number(process.hrtime.bigint() - started) / 1e9);
      }
    });
  }

  /**
   * Observation must never delay the activity's liveness: while the lookup waits for the database
   * (a busy pool, a slow disk), an activity with a heartbeat timeout heartbeats at once and every
   * second, with the details its previous attempt left (a resume cursor stays as it was).
   */
  private async heartbeatingWhile<T>(lookup: Promise<T>): Promise<T> {
    if (!this.ctx.info.heartbeatTimeoutMs) return lookup;
    const beat = () => this.ctx.heartbeat(this.ctx.info.heartbeatDetails);
    beat();
    const timer = setInterval(beat, 1_000);
    try {
      return await lookup;
    } finally {
      clearInterval(timer);
    }
  }

  /** Observation must never fail the activity: a lookup that fails just counts nothing. */
  private async claimRow(completionId: string): Promise<ClaimRow | undefined> {
    try {
      return (
        (await this.db.socialTaskCompletion.findUnique({
          where: { id: completionId },
          select: { status: true, verificationMethod: true, notificationStatus: true, notificationChannel: true },
        })) ?? undefined
      );
    } catch {
      return undefined;
    }
  }
}

function recordClaimTransition(before: ClaimRow, after: ClaimRow | undefined, result: unknown): void {
  if (!after) return;
  if (before.status === 'PENDING' && after.status !== 'PENDING') {
    metrics.claimsDecided.inc({ status: after.status, method: after.verificationMethod ?? 'NONE' });
    // A claim that was not verified gets SKIPPED with it: that is the claim's outcome, not a notification's.
    return;
  }
  const channel = after.notificationChannel ?? 'NONE';
  if (!isNotificationFinal(before.notificationStatus) && isNotificationFinal(after.notificationStatus)) {
    metrics.notifications.inc({ channel, status: isNotificationSent(after.notificationStatus) ? 'SENT' : after.notificationStatus });
  } else if (isHeld(result)) {
    metrics.notifications.inc({ channel, status: 'HELD' });
  }
}

/** planNotification answers `{action: 'hold'}`, sendNotification `{held: true}`. */
function isHeld(result: unknown): boolean {
  if (typeof result !== 'object' || result === null) return false;
  const shape = result as { action?: unknown; held?: unknown };
  return shape.action === 'hold' || shape.held === true;
}

function recordResult(activity: string, result: unknown): void {
  if (activity === 'refreshWhatsappAccountToken' && typeof result === 'object' && result !== null) {
    const outcome = (result as { result?: unknown }).result;
    metrics.tokenRefreshes.inc({ result: typeof outcome === 'string' ? outcome : 'other' });
  }
  if (activity === 'applyWebhookChanges' && Array.isArray(result)) {
    for (const change of result as { field?: string; items?: { kind?: string; outcome?: string }[] }[]) {
      for (const item of change.items ?? []) {
        metrics.webhookItems.inc({ field: boundedLabel(change.field, WEBHOOK_FIELDS), kind: item.kind ?? 'other', outcome: item.outcome ?? 'other' });
      }
    }
  }
}

function recordFailure(activity: string, error: unknown): void {
  if (activity === 'refreshWhatsappAccountToken') metrics.tokenRefreshes.inc({ result: 'error' });
  if (error instanceof ApplicationFailure && error.type === FailureType.RateLimited) {
    metrics.rateLimitWaits.inc({ activity });
    const delay = error.nextRetryDelay;
    if (typeof delay === 'number') metrics.rateLimitWaitSeconds.observe({ activity }, delay / 1000);
  }
}
