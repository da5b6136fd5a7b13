// An admin restarts a claim whose workflow failed or was terminated (src/temporal/claim-restart.ts):
// the new run resumes from the row, so a verified claim is notified (once) and a pending one is
// verified. A claim whose workflow is running, or that has nothing left to do, is a 409.
import { AppError } from '../../http/errors.js';
import type { TenantContext } from '../../http/use-case-context.js';
import { REQUEST_DEADLINE_MS } from '../../temporal/durable-start.js';
import { restartClaimWorkflow } from '../../temporal/claim-restart.js';
import { toCompletionView } from './completion-view.js';
import { findCompletionOr404 } from './get-completion.js';

export async function retryCompletion(ctx: TenantContext, { completionId }: { completionId: string }) {
  const { deps, db } = ctx;
  const completion = await findCompletionOr404(db, completionId);
  let outcome;
  try {
    outcome = await restartClaimWorkflow(deps, completion, REQUEST_DEADLINE_MS);
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
      status: completion.status,
      notificationStatus: completion.notificationStatus,
      workflow: outcome,
    });
  }
  return toCompletionView(await findCompletionOr404(db, completionId));
}
