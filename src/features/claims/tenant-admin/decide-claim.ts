// Manual review: an admin approves or rejects a claim that is still pending. The workflow applies
// the first decision it receives, so the answer is 202 (accepted), with the claim as it is now.
import { AppError } from '../../../http/errors.js';
import type { TenantContext } from '../../../http/use-case-context.js';
import { sendManualDecision } from '../../../temporal/claim-signals.js';
import type { DecisionInput } from '../claim-queries.js';
import { toClaimView } from '../claim-view.js';
import { findClaimOr404 } from './get-claim.js';
import { signalClaimWorkflow } from './signal-claim.js';

/** The decision is the admin's: decidedBy is the token's user. */
export async function decideClaim(ctx: TenantContext, { claimId, approved, reason }: DecisionInput & { claimId: string; approved: boolean }) {
  const { deps, db } = ctx;
  const decision = { approved, decidedBy: ctx.actor.userId };
  const claim = await findClaimOr404(db, claimId);
  if (claim.status !== 'PENDING') {
    throw new AppError('INVALID_STATE', `the completion is already ${claim.status}`, { status: claim.status });
  }
  await signalClaimWorkflow(deps, claim, (workflowId) =>
    sendManualDecision(deps, workflowId, { approved: decision.approved, decidedBy: decision.decidedBy, ...(reason ? { reason } : {}) }),
  );
  return toClaimView(await findClaimOr404(db, claimId));
}
