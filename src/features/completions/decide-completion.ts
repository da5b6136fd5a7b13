// Manual review: an admin approves or rejects a claim that is still pending. The workflow applies
// the first decision it receives, so the answer is 202 (accepted), with the claim as it is now.
import { z } from 'zod';
import { scopeToTenant } from '../../db/tenant-scope.js';
import type { AppDeps } from '../../http/deps.js';
import { AppError } from '../../http/errors.js';
import { parseInput } from '../../http/validation.js';
import { sendManualDecision } from '../../temporal/claim-signals.js';
import { toCompletionView } from './completion-view.js';
import { findCompletionOr404 } from './get-completion.js';
import { signalClaimWorkflow } from './signal-claim.js';

const decisionSchema = z.object({ reason: z.string().trim().min(1).max(500).optional() }).strict();

export async function decideCompletion(
  deps: AppDeps,
  tenantId: string,
  completionId: string,
  decision: { approved: boolean; decidedBy: string },
  body: unknown,
) {
  const db = scopeToTenant(deps.db, tenantId);
  const completion = await findCompletionOr404(db, completionId);
  // An approve with no body at all is the common case.
  const { reason } = parseInput(decisionSchema, body ?? {});
  if (completion.status !== 'PENDING') {
    throw new AppError('INVALID_STATE', `the completion is already ${completion.status}`, { status: completion.status });
  }
  await signalClaimWorkflow(deps, completion, (workflowId) =>
    sendManualDecision(deps, workflowId, { approved: decision.approved, decidedBy: decision.decidedBy, ...(reason ? { reason } : {}) }),
  );
  return toCompletionView(await findCompletionOr404(db, completionId));
}
