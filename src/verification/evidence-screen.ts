// The rules every candidate piece of evidence passes before it can verify a claim, shared by all
// Meta checks: it must postdate the task, and it must not already have verified another claim of
// the task (`accept` reserves it in the database; see evidence-use.ts). What was passed over is
// counted, so a claim that found only old or already-used evidence says so instead of "not found".
import { evidenceAge } from './evidence-age.js';
import type { MetaVerification, VerificationEvidence } from './outcome.js';

export interface EvidenceRules {
  /** Evidence older than this does not count (the task's creation) */
  readonly notBefore?: Date | undefined;
  /** Reserves the evidence for this claim; false when another claim of the task already holds it */
  readonly accept?: ((evidence: VerificationEvidence) => Promise<boolean>) | undefined;
}

export class EvidenceScreen {
  private tooOld = 0;
  private alreadyUsed = 0;

  constructor(private readonly rules: EvidenceRules = {}) {}

  /** Whether a candidate that matched the claimant may verify the claim. */
  async admit(candidate: VerificationEvidence, timestamp: string | null | undefined): Promise<boolean> {
    if (evidenceAge(timestamp, this.rules.notBefore) === 'before') {
      this.tooOld += 1;
      return false;
    }
    if (this.rules.accept && !(await this.rules.accept(candidate))) {
      this.alreadyUsed += 1;
      return false;
    }
    return true;
  }

  /** Whether a match was found and passed over (already used, or older than the task): Meta did answer. */
  passedOver(): boolean {
    return this.alreadyUsed > 0 || this.tooOld > 0;
  }

  /** The not-found outcome, naming matches that were passed over and why (no reason: nothing matched). */
  notFound(detail: string): MetaVerification {
    if (this.alreadyUsed > 0) {
      return {
        outcome: 'not_found',
        reason: 'EVIDENCE_ALREADY_USED',
        detail: `${detail}; ${count(this.alreadyUsed, 'match')} already verified another claim of this task${this.tooOldNote()}`,
      };
    }
    if (this.tooOld > 0) {
      return { outcome: 'not_found', reason: 'EVIDENCE_PREDATES_TASK', detail: `${detail}${this.tooOldNote()}` };
    }
    return { outcome: 'not_found', detail };
  }

  private tooOldNote(): string {
    const at = this.rules.notBefore?.toISOString();
    return this.tooOld > 0 ? `; ${count(this.tooOld, 'match')} predated the task (${at}) and did not count` : '';
  }
}

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 'es'}`;
