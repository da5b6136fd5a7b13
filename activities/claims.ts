// Claim bookkeeping: load, record progress, decide (src/verification/claim-decision.ts).
import type { ClaimReason } from '../src/domain/claim-reason.js';
import { completeVerification, loadClaimSnapshot } from '../src/verification/claim-decision.js';
import type { ClaimSnapshot, RecordedVerification, VerificationOutcome } from './claim-types.js';
import type { ActivityDeps } from './deps.js';

export function createClaimActivities({ db }: Pick<ActivityDeps, 'db'>) {
  return {
    loadClaim: (claimId: string): Promise<ClaimSnapshot> => loadClaimSnapshot(db, claimId),

    /** Shows why a claim is still pending (e.g. waiting for review or for valid credentials). */
    async recordPendingDetail(claimId: string, detail: string, reason?: ClaimReason): Promise<void> {
      await db.claim.updateMany({ where: { id: claimId, status: 'PENDING' }, data: { detail, ...(reason ? { reason } : {}) } });
    },

    /** Records the decision and, when verified, credits the task's spins exactly once. */
    completeVerification: (
      claimId: string,
      outcome: Extract<VerificationOutcome, { kind: 'decided' }>,
      decidedAt: string,
    ): Promise<RecordedVerification> => completeVerification(db, claimId, outcome, decidedAt),
  };
}
