// A claim's verification as recorded in the database: the snapshot the workflow decides from, and
// the decision itself. Every write is conditional on the claim still being PENDING and the credit
// has a unique key, so retries and replays apply each step once.
import type { ClaimSnapshot, RecordedVerification, VerificationOutcome } from '../../activities/claim-types.js';
import type { Database } from '../db/client.js';
import { countClaimDecided } from '../observability/business-metrics.js';

export async function loadClaimSnapshot(db: Database, completionId: string): Promise<ClaimSnapshot> {
  const completion = await db.socialTaskCompletion.findUniqueOrThrow({
    where: { id: completionId },
    include: { task: true },
  });
  return {
    status: completion.status,
    verificationStrategy: completion.task.verificationStrategy,
    fallbackStrategy: completion.task.fallbackStrategy,
    statisticalApprovalRate: completion.task.statisticalApprovalRate,
    notificationStatus: completion.notificationStatus,
  };
}

/** Records the decision and, when verified, credits the task's spins exactly once. */
export async function completeVerification(
  db: Database,
  completionId: string,
  outcome: Extract<VerificationOutcome, { kind: 'decided' }>,
  decidedAt: string,
): Promise<RecordedVerification> {
  // Which decision this call wrote (none when the claim was already decided), counted once committed.
  let decided: 'VERIFIED' | 'FAILED' | undefined;
  const recorded = await db.$transaction(async (tx) => {
    const completion = await tx.socialTaskCompletion.findUniqueOrThrow({ where: { id: completionId }, include: { task: true } });
    if (completion.status === 'PENDING') {
      const common = {
        verificationMethod: outcome.method ?? null,
        detail: outcome.detail ?? null,
        reason: outcome.reason ?? null,
        ...(outcome.evidence ? { evidence: outcome.evidence as object } : {}),
      };
      if (outcome.verified) {
        const spins = completion.task.spinsReward;
        const updated = await tx.socialTaskCompletion.updateMany({
          where: { id: completionId, status: 'PENDING' },
          data: { ...common, status: 'VERIFIED', verifiedAt: new Date(decidedAt), spinsAwarded: spins },
        });
        if (updated.count === 1) {
          decided = 'VERIFIED';
          await tx.spinCredit.createMany({
            data: [{ tenantId: completion.tenantId, userId: completion.userId, completionId, amount: spins }],
            skipDuplicates: true,
          });
        }
      } else {
        const updated = await tx.socialTaskCompletion.updateMany({
          where: { id: completionId, status: 'PENDING' },
          data: { ...common, status: 'FAILED', notificationStatus: 'SKIPPED', notificationError: 'claim was not verified' },
        });
        if (updated.count === 1) decided = 'FAILED';
      }
    }
    const current = await tx.socialTaskCompletion.findUniqueOrThrow({ where: { id: completionId } });
    return { status: current.status, notificationStatus: current.notificationStatus, detail: current.detail, spinsAwarded: current.spinsAwarded };
  });
  // A claim that was not verified gets its notification SKIPPED with it: that is the claim's
  // outcome, not a notification's, so only the decision is counted.
  if (decided) countClaimDecided(decided, outcome.method);
  return recorded;
}
