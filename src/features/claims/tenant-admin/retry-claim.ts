// An admin restarts a claim whose workflow failed or was terminated (src/temporal/claim-restart.ts):
// the new run resumes from the row, so a verified claim is notified (once) and a pending one is
// verified. A claim whose workflow is running, or that has nothing left to do, is a 409.
import { AppError } from '../../../http/errors.js';
import type { TenantContext } from '../../../http/use-case-context.js';
import { REQUEST_DEADLINE_MS } from '../../../temporal/durable-start.js';
import { restartClaimWorkflow } from '../../../temporal/claim-restart.js';
import { toClaimView } from '../claim-view.js';
import { findClaimOr404 } from './get-claim.js';

export async function retryClaim(ctx: TenantContext, { claimId }: { claimId: string }) {
  const { deps, db } = ctx;
  const claim = await findClaimOr404(db, claimId);
  let outcome;
  try {
    outcome = await restartClaimWorkflow(deps, claim, REQUEST_DEADLINE_MS);
  } catch (error) {
    throw new AppError(
      'UPSTREAM_UNAVAILABLE',
      'the workflow service (Temporal) could not be reached in time; nothing was changed, try again',
      undefined,
      { cause: error },
    );
  }
  if (outcome !== 'restarted') {
    const why = {
      running: 'the claim is still being processed',
      completed: 'the claim has already been processed',
      nothing_to_do: 'the claim is decided and its notification settled: there is nothing to retry',
    }[outcome];
    throw new AppError('INVALID_STATE', why, {
      status: claim.status,
      notificationStatus: claim.notificationStatus,
      workflow: outcome,
    });
  }
  return toClaimView(await findClaimOr404(db, claimId));
}
