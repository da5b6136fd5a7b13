// Why a claim is where it is, as a short code. Tenant admins read the code with the full detail
// (which may quote Meta or a provider); end users read the code's public form and a sentence we
// wrote, never provider text or Graph ids, and nothing that tells them how the task is checked
// (an end user who learns a task is on the honor system would stop doing it).
// Pure: the claim workflow imports the codes.
import type { ClaimStatus } from './statuses.js';

export const CLAIM_REASONS = [
  'VERIFIED_BY_META',
  'NOT_FOUND_ON_POST',
  'EVIDENCE_ALREADY_USED',
  'EVIDENCE_PREDATES_TASK',
  'ACCEPTED_ON_HONOR',
  'APPROVED_BY_SAMPLING',
  'NOT_APPROVED_BY_SAMPLING',
  'APPROVED_BY_REVIEW',
  'REJECTED_BY_REVIEW',
  'REVIEW_EXPIRED',
  'AWAITING_REVIEW',
  'WAITING_FOR_CREDENTIALS',
  'CREDENTIALS_REJECTED',
  'VERIFICATION_UNAVAILABLE',
] as const;

export type ClaimReason = (typeof CLAIM_REASONS)[number];

/** What an end user may see: codes that do not reveal the verification strategy. */
export const PUBLIC_REASONS = [
  'CHECKING',
  'VERIFIED',
  'NOT_FOUND_ON_POST',
  'EVIDENCE_ALREADY_USED',
  'EVIDENCE_PREDATES_TASK',
  'NOT_CONFIRMED',
  'REJECTED_BY_REVIEW',
  'COULD_NOT_CHECK',
] as const;

export type PublicReason = (typeof PUBLIC_REASONS)[number];

const PUBLIC_FORM: Record<ClaimReason, PublicReason> = {
  VERIFIED_BY_META: 'VERIFIED',
  ACCEPTED_ON_HONOR: 'VERIFIED',
  APPROVED_BY_SAMPLING: 'VERIFIED',
  APPROVED_BY_REVIEW: 'VERIFIED',
  NOT_FOUND_ON_POST: 'NOT_FOUND_ON_POST',
  EVIDENCE_ALREADY_USED: 'EVIDENCE_ALREADY_USED',
  EVIDENCE_PREDATES_TASK: 'EVIDENCE_PREDATES_TASK',
  NOT_APPROVED_BY_SAMPLING: 'NOT_CONFIRMED',
  REVIEW_EXPIRED: 'NOT_CONFIRMED',
  REJECTED_BY_REVIEW: 'REJECTED_BY_REVIEW',
  AWAITING_REVIEW: 'CHECKING',
  WAITING_FOR_CREDENTIALS: 'CHECKING',
  CREDENTIALS_REJECTED: 'COULD_NOT_CHECK',
  VERIFICATION_UNAVAILABLE: 'COULD_NOT_CHECK',
};

const SENTENCE: Record<PublicReason, string> = {
  CHECKING: 'We are checking your task. This usually takes a few minutes.',
  VERIFIED: 'Your task was confirmed and your spins were added.',
  NOT_FOUND_ON_POST: 'We could not find your action on the post. Check that you used the account you gave us.',
  EVIDENCE_ALREADY_USED: 'The action we found was already used for another claim, so it cannot count again.',
  EVIDENCE_PREDATES_TASK: 'We only found an action made before this task started. Only new actions count.',
  NOT_CONFIRMED: 'We could not confirm this task.',
  REJECTED_BY_REVIEW: 'Your claim was reviewed and not approved.',
  COULD_NOT_CHECK: 'We could not check this task right now, so it was not confirmed.',
};

export function isClaimReason(value: unknown): value is ClaimReason {
  return typeof value === 'string' && (CLAIM_REASONS as readonly string[]).includes(value);
}

/** The end user's code for a claim: its public reason, else what its status implies. */
export function publicReason(reason: string | null | undefined, status: ClaimStatus): PublicReason {
  if (isClaimReason(reason)) return PUBLIC_FORM[reason];
  if (status === 'VERIFIED') return 'VERIFIED';
  if (status === 'FAILED') return 'NOT_CONFIRMED';
  return 'CHECKING';
}

export function publicSentence(reason: PublicReason): string {
  return SENTENCE[reason];
}
