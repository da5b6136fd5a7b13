// The sending circuit breaker (meta-apis reference §4.5a). Some of Meta's refusals are about the
// sender, not the message: 131048 (too many messages of this number blocked or reported), 368 / 131031
// (account restricted or locked for policy), 131042 (payment problem), and a RED quality rating.
// Trying the next message from the same sender only deepens the restriction, so the first such
// answer pauses every send of the number (131048, RED) or of the whole account (its WABA: 368, 131031,
// 131042). Notifications then wait (reason SENDING_PAUSED); one probe send per interval tests whether
// Meta lets us send again (not for RED, which only Meta's rating or the tenant lifts); a success, a
// better rating or the tenant's resume-sending lifts the pause. All writes are conditional, so two
// workers hitting the same answer pause once (one log line, one metric increment).
import type { Database } from '../db/client.js';
import type { Logger } from '../logger.js';
import { metrics } from '../observability/metrics.js';
import type { AccountPause } from './channel-choice.js';
import { PAUSE_ACCOUNT_CODES } from './meta-send-answers.js';

export const QUALITY_RED = 'QUALITY_RED';

export interface SendingPause {
  readonly reason: string;
  readonly since: string;
  readonly code: string;
}

export interface PausableAccount {
  readonly id: string;
  readonly wabaId: string;
  readonly sendingPausedAt: Date | null;
  readonly sendingPausedCode: string | null;
  readonly sendingPausedReason: string | null;
}

/** The account view's `sendingPaused`. */
export function sendingPauseOf(account: PausableAccount): SendingPause | null {
  if (!account.sendingPausedAt) return null;
  return {
    reason: account.sendingPausedReason ?? 'sending is paused',
    since: account.sendingPausedAt.toISOString(),
    code: account.sendingPausedCode ?? 'UNKNOWN',
  };
}

const accountWide = (code: string) => PAUSE_ACCOUNT_CODES.includes(Number(code));

/** Our sentence for a pause (the tenant reads it; never Meta's words). */
export function pauseSentence(code: string): string {
  switch (code) {
    case '131048':
      return 'WhatsApp restricted this number because too many of its messages were blocked or reported as spam';
    case '368':
      return 'WhatsApp restricted this account for a policy violation';
    case '131031':
      return 'WhatsApp locked this account';
    case '131042':
      return "WhatsApp refused to send because of a problem with the account's payment method";
    case QUALITY_RED:
      return "this number's quality rating is RED (messages were blocked or reported)";
    default:
      return `WhatsApp refused to send from this account (${code})`;
  }
}

/**
 * Pauses the number (or, for account-wide codes, every number of its WABA). Returns how many
 * numbers this call paused: 0 when they already were, so the warning is logged once per pause.
 */
export async function pauseSending(db: Database, logger: Logger, account: { id: string; wabaId: string }, code: string): Promise<number> {
  const reason = pauseSentence(code);
  const scope = accountWide(code) ? { wabaId: account.wabaId } : { id: account.id };
  // The first probe is one interval after the pause.
  const now = new Date();
  const paused = await db.whatsappAccount.updateMany({
    where: { ...scope, sendingPausedAt: null },
    data: { sendingPausedAt: now, sendingPausedCode: code, sendingPausedReason: reason, sendingProbeAt: now, sendingProbeClaimId: null },
  });
  if (paused.count > 0) {
    metrics.whatsappSendingPauses.inc({ code });
    logger.warn({ accountId: account.id, wabaId: account.wabaId, code, numbers: paused.count }, `WhatsApp sending paused: ${reason}`);
  }
  return paused.count;
}

/**
 * Lifts the pause of the number, and of the other numbers of its WABA when the pause was
 * account-wide. `onlyCode` lifts only a pause of that code (a better quality rating lifts RED, not
 * a spam restriction). Returns how many numbers were resumed.
 */
export async function resumeSending(db: Database, account: { id: string; wabaId: string }, onlyCode?: string): Promise<number> {
  const current = await db.whatsappAccount.findUnique({ where: { id: account.id }, select: { sendingPausedCode: true } });
  const code = current?.sendingPausedCode;
  if (!code || (onlyCode && code !== onlyCode)) return 0;
  const scope = accountWide(code) ? { wabaId: account.wabaId, sendingPausedCode: code } : { id: account.id };
  const resumed = await db.whatsappAccount.updateMany({
    where: { ...scope, sendingPausedAt: { not: null } },
    data: { sendingPausedAt: null, sendingPausedCode: null, sendingPausedReason: null, sendingProbeAt: null, sendingProbeClaimId: null },
  });
  return resumed.count;
}

export type PauseGate =
  | { readonly kind: 'go'; readonly probe: boolean }
  | { readonly kind: 'wait'; readonly notBefore: Date; readonly reason: string };

/**
 * May this notification send from the account now? Not paused: go. Paused: this notification may
 * be the interval's one probe (it takes the probe slot atomically, or already holds it); otherwise
 * it waits until the next probe is due (RED has no probes: it re-checks every interval). `account`
 * is the pause as read with the claim (notification-claim.ts): a pause that begins after that read
 * is the same race as one that begins while the message is in flight.
 */
export async function sendingGate(
  db: Database,
  account: { readonly id: string; readonly pause: AccountPause },
  claimId: string,
  probeIntervalMs: number,
): Promise<PauseGate> {
  const { pause } = account;
  if (!pause.sendingPausedAt) return { kind: 'go', probe: false };
  const reason = pause.sendingPausedReason ?? 'sending is paused';
  const now = Date.now();
  if (pause.sendingPausedCode === QUALITY_RED) return { kind: 'wait', notBefore: new Date(now + probeIntervalMs), reason };
  if (pause.sendingProbeClaimId === claimId) return { kind: 'go', probe: true };
  const dueBefore = new Date(now - probeIntervalMs);
  const taken = await db.whatsappAccount.updateMany({
    where: { id: account.id, sendingPausedAt: { not: null }, OR: [{ sendingProbeAt: null }, { sendingProbeAt: { lte: dueBefore } }] },
    data: { sendingProbeAt: new Date(now), sendingProbeClaimId: claimId },
  });
  if (taken.count > 0) return { kind: 'go', probe: true };
  const lastProbe = pause.sendingProbeAt?.getTime() ?? now;
  return { kind: 'wait', notBefore: new Date(Math.max(lastProbe + probeIntervalMs, now + 1_000)), reason };
}
