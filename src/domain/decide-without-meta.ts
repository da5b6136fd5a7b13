// The strategies that decide a claim from what we already know (no outside call, no person): the
// honor system and statistical sampling. Pure, so the claim workflow and the activity that verifies
// and records in one local step (activities/verification-step.ts) always decide alike.
import type { ClaimReason } from './claim-reason.js';
import { decideStatistically } from './statistical-approval.js';

export interface DecisionWithoutMeta {
  readonly kind: 'decided';
  readonly verified: boolean;
  readonly method: 'HONOR_SYSTEM' | 'STATISTICAL';
  readonly reason: ClaimReason;
  readonly detail: string;
}

export function decideWithoutMeta(strategy: 'HONOR_SYSTEM' | 'STATISTICAL', claimId: string, approvalRate: number): DecisionWithoutMeta {
  if (strategy === 'HONOR_SYSTEM') {
    return { kind: 'decided', verified: true, method: 'HONOR_SYSTEM', reason: 'ACCEPTED_ON_HONOR', detail: 'Accepted on the honor system' };
  }
  const approved = decideStatistically(claimId, approvalRate);
  return {
    kind: 'decided',
    verified: approved,
    method: 'STATISTICAL',
    reason: approved ? 'APPROVED_BY_SAMPLING' : 'NOT_APPROVED_BY_SAMPLING',
    detail: approved ? `Approved by statistical sampling (rate ${approvalRate})` : `Not approved by statistical sampling (rate ${approvalRate})`,
  };
}
