// One piece of evidence verifies at most one claim of a task: the EvidenceUse row's unique key on
// (task, evidence) decides, not a read-then-write. Two claims verifying at once both try to insert;
// the database lets one win and the other sees the row is not theirs and looks further.
import type { Database } from '../db/client.js';
import { evidenceKey } from './evidence-key.js';
import type { VerificationEvidence } from './outcome.js';

export interface EvidenceClaimant {
  readonly tenantId: string;
  readonly taskId: string;
  readonly claimId: string;
}

/**
 * Reserves `evidence` for the claim; true when it is now (or already was) this claim's.
 * A claim holds one piece of evidence: a retry that finds a different one releases the old.
 * Evidence without a key (nothing identifies it) cannot be reserved and is refused.
 */
export async function reserveEvidence(db: Database, claimant: EvidenceClaimant, evidence: VerificationEvidence): Promise<boolean> {
  const key = evidenceKey(evidence);
  if (!key) return false;
  const { tenantId, taskId, claimId } = claimant;
  return db.$transaction(async (tx) => {
    await tx.evidenceUse.deleteMany({ where: { claimId, NOT: { evidenceKey: key } } });
    await tx.evidenceUse.createMany({ data: [{ tenantId, taskId, claimId, evidenceKey: key }], skipDuplicates: true });
    const holder = await tx.evidenceUse.findUnique({ where: { taskId_evidenceKey: { taskId, evidenceKey: key } }, select: { claimId: true } });
    return holder?.claimId === claimId;
  });
}

/** The function the Meta checks call for each candidate (evidence-screen.ts `accept`). */
export function evidenceReserver(db: Database, claimant: EvidenceClaimant): (evidence: VerificationEvidence) => Promise<boolean> {
  return (evidence) => reserveEvidence(db, claimant, evidence);
}
