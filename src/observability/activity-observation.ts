// Worker-side activity metrics and log context, from outside the activities: an inbound interceptor
// that sees each activity's type, its workflow and its result or failure, and nothing else. It
// counts attempts and durations and, from a RateLimited failure, the wait the provider asked for;
// it never reads the database. Business outcomes (claims decided, notifications, token refreshes,
// webhook items) are counted where they are written (claim-metrics.ts and its callers).
import { ApplicationFailure, type Context } from '@temporalio/activity';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, ActivityInterceptorsFactory, Next } from '@temporalio/worker';
import { FailureType } from '../domain/failure-types.js';
import type { Logger } from '../logger.js';
import { runWithLogContext } from './log-context.js';
import { metrics } from './metrics.js';

const CLAIM_WORKFLOW_ID = /^claim-([0-9a-f-]{36})$/i;

export function observeActivities(logger: Logger): ActivityInterceptorsFactory {
  return (ctx) => ({ inbound: new ObservingActivityInbound(ctx, logger) });
}

class ObservingActivityInbound implements ActivityInboundCallsInterceptor {
  constructor(
    private readonly ctx: Context,
    private readonly logger: Logger,
  ) {}

  async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const activity = this.ctx.info.activityType;
    const completionId = CLAIM_WORKFLOW_ID.exec(this.ctx.info.workflowExecution?.workflowId ?? '')?.[1];
    return runWithLogContext(completionId ? { completionId } : {}, async () => {
      const started = process.hrtime.bigint();
      try {
        const result = await next(input);
        metrics.activities.inc({ activity, outcome: 'completed' });
        this.logger.debug(
          { activity, attempt: this.ctx.info.attempt, workflowId: this.ctx.info.workflowExecution?.workflowId },
          'activity completed',
        );
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
        recordRateLimitWait(activity, error);
        throw error;
      } finally {
        metrics.activityDuration.observe({ activity }, Number(process.hrtime.bigint() - started) / 1e9);
      }
    });
  }
}

function recordRateLimitWait(activity: string, error: unknown): void {
  if (error instanceof ApplicationFailure && error.type === FailureType.RateLimited) {
    metrics.rateLimitWaits.inc({ activity });
    const delay = error.nextRetryDelay;
    if (typeof delay === 'number') metrics.rateLimitWaitSeconds.observe({ activity }, delay / 1000);
  }
}
