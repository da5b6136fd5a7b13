// Manual review: an admin approves or rejects a claim that is still pending. The workflow applies
// the first decision it receives, so the answer is 202 (accepted), with the claim as it is now.
import { AppError } from '../../http/errors.js';
import type { TenantContext } from '../../http/use-case-context.js';
import { sendManualDecision } from '../../temporal/claim-signals.js';
import type { DecisionInput } from './completion-input.js';
import { toCompletionView } from './completion-view.js';
import { findCompletionOr404 } from './get-completion.js';
import { signalClaimWorkflow } from './signal-claim.js';

/** The decision is the admin's: decidedBy is the token's user. */
export async function decideCompletion(
  ctx: TenantContext,
  { completionId, approved, reason }: DecisionInput & { completionId: string; approved: boolean },
) {
  const { deps, db } = ctx;
  const decision = { approved, decidedBy: ctx.actor.userId };
  const completion = await findCompletionOr404(db, completionId);
  if (completion.status !== 'PENDING') {
    throw new AppError('INVALID_STATE', `the completion is already ${completion.status}`, { status: completion.status });
  }
  await signalClaimWorkflow(deps, completion, (workflowId) =>
    sendManualDecision(deps, workflowId, { approved: decision.approved, decidedBy: decision.decidedBy, ...(reason ? { reason } : {}) }),
  );
  return toCompletionView(await findCompletionOr404(db, completionId));
}
