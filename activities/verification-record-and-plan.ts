// The claim's database-only steps merged into one local activity each (fewer Temporal round-trips
// per claim). `verifyAndPlan` loads the claim and, when its strategy decides without an outside call
// (honor system, statistical sampling), decides, records (credit included) and plans the
// notification in the same step; otherwise it only returns the claim, and the workflow verifies
// with Meta or a reviewer and then calls `recordAndPlan`. Each write stays conditional
// (src/verification/claim-decision.ts, src/notifications/plan-notification.ts), so a retried local
// activity applies each step once.
import { decideWithoutMeta } from '../src/domain/decide-without-meta.js';
import type { ClaimSnapshot, NotificationPlan, RecordedVerification, VerificationOutcome } from './claim-types.js';
import { notificationContext } from '../src/notifications/notification-context.js';
import { planNotification } from '../src/notifications/plan-notification.js';
import { completeVerification, loadClaimSnapshot } from '../src/verification/claim-decision.js';
import type { ActivityDeps } from './deps.js';

/** The notification planner's input, minus the claim id (planNotification). */
export interface PlanRequest {
  readonly now: string;
  readonly ignoreWindow: boolean;
  readonly maxDelayMs: number;
}

export interface VerifiedAndPlanned {
  readonly claim: ClaimSnapshot;
  /** Present when this step recorded (or found) the decision. */
  readonly recorded?: RecordedVerification;
  /** Present when the claim is verified and its notification still ahead. */
  readonly plan?: NotificationPlan;
}

export function createVerificationStepActivities(deps: Pick<ActivityDeps, 'config' | 'db' | 'secrets' | 'logger' | 'graph'>) {
  const { db } = deps;
  const notifications = notificationContext(deps);

  async function recordAndPlan(
    claimId: string,
    outcome: Extract<VerificationOutcome, { kind: 'decided' }>,
    plan: PlanRequest,
  ): Promise<{ recorded: RecordedVerification; plan?: NotificationPlan }> {
    const recorded = await completeVerification(db, claimId, outcome, plan.now);
    if (recorded.status !== 'VERIFIED') return { recorded };
    return { recorded, plan: await planNotification(notifications, { claimId, ...plan }) };
  }

  return {
    recordAndPlan,

    /** `decidedElsewhere`: a manual decision arrived while waiting; it wins over any strategy. */
    async verifyAndPlan(claimId: string, decidedElsewhere: boolean, plan: PlanRequest): Promise<VerifiedAndPlanned> {
      const claim = await loadClaimSnapshot(db, claimId);
      if (claim.status !== 'PENDING' || decidedElsewhere) return { claim };
      const strategy = claim.verificationStrategy;
      if (strategy !== 'HONOR_SYSTEM' && strategy !== 'STATISTICAL') return { claim };
      return { claim, ...(await recordAndPlan(claimId, decideWithoutMeta(strategy, claimId, claim.statisticalApprovalRate), plan)) };
    },
  };
}
