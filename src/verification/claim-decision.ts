// A claim's verification as recorded in the database: the snapshot the workflow decides from, and
// the decision itself. Every write is conditional on the claim still being PENDING and the credit
// has a unique key, so retries and replays apply each step once.
import type { ClaimSnapshot, RecordedVerification, VerificationOutcome } from '../../activities/claim-types.js';
import type { Database } from '../db/client.js';
import { countClaimDecided } from '../observability/business-metrics.js';

export async function loadClaimSnapshot(db: Database, claimId: string): Promise<ClaimSnapshot> {
  const claim = await db.claim.findUniqueOrThrow({
    where: { id: claimId },
    include: { task: true },
  });
  return {
    status: claim.status,
    verificationStrategy: claim.task.verificationStrategy,
    fallbackStrategy: claim.task.fallbackStrategy,
    statisticalApprovalRate: claim.task.statisticalApprovalRate,
    notificationStatus: claim.notificationStatus,
  };
}

/** Records the decision and, when verified, credits the task's spins exactly once. */
export async function completeVerification(
  db: Database,
  claimId: string,
  outcome: Extract<VerificationOutcome, { kind: 'decided' }>,
  decidedAt: string,
): Promise<RecordedVerification> {
  // Which decision this call wrote (none when the claim was already decided), counted once committed.
  let decided: 'VERIFIED' | 'FAILED' | undefined;
  const recorded = await db.$transaction(async (tx) => {
    const claim = await tx.claim.findUniqueOrThrow({ where: { id: claimId }, include: { task: true } });
    if (claim.status === 'PENDING') {
      const common = {
        verificationMethod: outcome.method ?? null,
        detail: outcome.detail ?? null,
        reason: outcome.reason ?? null,
        ...(outcome.evidence ? { evidence: outcome.evidence as object } : {}),
      };
      if (outcome.verified) {
        const spins = claim.task.spinsReward;
        const updated = await tx.claim.updateMany({
          where: { id: claimId, status: 'PENDING' },
          data: { ...common, status: 'VERIFIED', verifiedAt: new Date(decidedAt), spinsAwarded: spins },
        });
        if (updated.count === 1) {
          decided = 'VERIFIED';
          await tx.spinCredit.createMany({
            data: [{ tenantId: claim.tenantId, userId: claim.userId, claimId, amount: spins }],
            skipDuplicates: true,
          });
        }
      } else {
        const updated = await tx.claim.updateMany({
          where: { id: claimId, status: 'PENDING' },
          data: { ...common, status: 'FAILED', notificationStatus: 'SKIPPED', notificationError: 'claim was not verified' },
        });
        if (updated.count === 1) decided = 'FAILED';
      }
    }
    const current = await tx.claim.findUniqueOrThrow({ where: { id: claimId } });
    return { status: current.status, notificationStatus: current.notificationStatus, detail: current.detail, spinsAwarded: current.spinsAwarded };
  });
  // A claim that was not verified gets its notification SKIPPED with it: that is the claim's
  // outcome, not a notification's, so only the decision is counted.
  if (decided) countClaimDecided(decided, outcome.method);
  return recorded;
}
