// STATISTICAL verification approves a share of claims. The decision is a pure function of the
// claim id, so activity retries, workflow replays and re-runs always agree.

/** FNV-1a (32-bit): small, deterministic, no Node built-ins (runs in the workflow sandbox). */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** A number in [0, 1) fixed for this id. */
export function samplePoint(claimId: string): number {
  return fnv1a(`statistical:${claimId}`) / 0x1_0000_0000;
}

export function decideStatistically(claimId: string, approvalRate: number): boolean {
  if (!(approvalRate >= 0 && approvalRate <= 1)) throw new RangeError(`approval rate must be within [0, 1], got ${approvalRate}`);
  return samplePoint(claimId) < approvalRate;
}
