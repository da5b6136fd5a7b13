// Delivering an admin's signal to a claim's workflow, starting the workflow first when it was never
// started (the API died between writing the claim and starting it, and the sweeper has not run yet).
// The workflow records decisions that arrive before it reaches review, so start-then-signal is safe.
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Claim } from '../../../generated/prisma/client.js';
import type { AppDeps } from '../../../http/deps.js';
import { AppError } from '../../../http/errors.js';
import { startClaimWorkflow } from '../../../temporal/claim-starter.js';

export async function signalClaimWorkflow(deps: AppDeps, claim: Claim, send: (workflowId: string) => Promise<void>): Promise<void> {
  try {
    await send(claim.workflowId);
    return;
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw upstream(error);
  }
  try {
    await startClaimWorkflow(deps, claim);
    await send(claim.workflowId);
  } catch (error) {
    // Still not found after a start: the run has already closed, so nothing can act on the signal.
    if (error instanceof WorkflowNotFoundError) {
      throw new AppError('INVALID_STATE', 'the claim has already been processed', undefined, { cause: error });
    }
    throw upstream(error);
  }
}

function upstream(error: unknown): AppError {
  return new AppError(
    'UPSTREAM_UNAVAILABLE',
    'the workflow service (Temporal) could not be reached in time; nothing was changed, try again',
    undefined,
    { cause: error },
  );
}
