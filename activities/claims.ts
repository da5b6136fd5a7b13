// Claim bookkeeping: load, record progress, decide (src/verification/claim-decision.ts).
import type { CompletionReason } from '../src/domain/completion-reason.js';
import { completeVerification, loadClaimSnapshot } from '../src/verification/claim-decision.js';
import type { ClaimSnapshot, RecordedVerification, VerificationOutcome } from './claim-types.js';
import type { ActivityDeps } from './deps.js';

export function createClaimActivities({ db }: Pick<ActivityDeps, 'db'>) {
  return {
    loadClaim: (completionId: string): Promise<ClaimSnapshot> => loadClaimSnapshot(db, completionId),

    /** Shows why a claim is still pending (e.g. waiting for review or for valid credentials). */
    async recordPendingDetail(completionId: string, detail: string, reason?: CompletionReason): Promise<void> {
      await db.socialTaskCompletion.updateMany({ where: { id: completionId, status: 'PENDING' }, data: { detail, ...(reason ? { reason } : {}) } });
    },

    /** Records the decision and, when verified, credits the task's spins exactly once. */
    completeVerification: (
      completionId: string,
      outcome: Extract<VerificationOutcome, { kind: 'decided' }>,
      decidedAt: string,
    ): Promise<RecordedVerification> => completeVerification(db, completionId, outcome, decidedAt),
  };
}
