// Evidence must postdate the task: a comment, reply, tag or reaction made before the task existed
// was not made for it (an old fan comment must not pay out to whoever types that fan's handle).
// Meta's timestamps look like "2026-11-30T12:00:00+0000". Evidence without a time (Facebook's
// reactions edge has none) cannot be dated and is not refused here; the README says so.

export type EvidenceAge = 'after' | 'before' | 'undated';

/**
 * Meta's timestamps have whole seconds and come from Meta's clocks, not ours: evidence up to this
 * much older than the task still counts, so a comment made right after the task is never refused.
 */
export const EVIDENCE_CLOCK_ALLOWANCE_MS = 60_000;

export function evidenceAge(timestamp: string | null | undefined, notBefore: Date | undefined): EvidenceAge {
  if (!notBefore) return 'after';
  if (!timestamp) return 'undated';
  const at = Date.parse(timestamp);
  if (Number.isNaN(at)) return 'undated';
  return at < notBefore.getTime() - EVIDENCE_CLOCK_ALLOWANCE_MS ? 'before' : 'after';
}
