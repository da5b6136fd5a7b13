// WhatsApp's rules that make a notification wait instead of going out now: a paused number or
// account (circuit breaker, with its probe), a template Meta paused, the portfolio's messaging
// limit, the per-user marketing cap. Planning checks them to say "wait"; the send checks them
// again (they may have changed since the plan) before it stamps anything.
import type { NotificationPlan, SendOutcome } from '../../activities/claim-types.js';
import type { NotificationReason } from '../domain/notification-reason.js';
import { requestReplan } from '../temporal/claim-signals.js';
import type { ChannelChoice, SendableChannel } from './channel-choice.js';
import { releaseSlot as releaseLimitSlot, peekSlot, takeSlot } from './messaging-limit-ledger.js';
import { type NotificationClaim, SESSION_WINDOW_MS, sessionOpen } from './notification-claim.js';
import type { NotificationContext } from './notification-context.js';
import { resumeSending, sendingGate } from './sending-circuit-breaker.js';
import { templateUsable } from './template-check.js';

/** WhatsApp's per-user marketing cap (131049): not before 24 h, at most this many retries. */
export const MARKETING_RETRY_MS = SESSION_WINDOW_MS + 60_000;
export const MARKETING_MAX_RETRIES = 3;
const MARKETING_LIMIT_SENTENCE = 'WhatsApp withheld the message by its per-user marketing limit; retried a day later';
/** A paused template re-checks this often; Meta's status update re-plans the claims at once. */
export const TEMPLATE_RECHECK_MS = SESSION_WINDOW_MS;

export const messagingLimitSentence = (limit: number) =>
  `the WhatsApp messaging limit of the business portfolio is reached (${limit} people outside a conversation in 24 h)`;

/** The portfolio's messaging limit has no room for this send; nothing was sent. */
export class MessagingLimitReached extends Error {
  constructor(
    readonly limit: number,
    readonly notBefore: Date,
  ) {
    super(messagingLimitSentence(limit));
    this.name = 'MessagingLimitReached';
  }
}

/** A step either lets the send go on with what it produced, or ends it with an outcome. */
export type Step<T> = ({ kind: 'go' } & T) | { kind: 'outcome'; outcome: SendOutcome };

/**
 * Before a plan says "send": a rule of WhatsApp's that makes this notification wait (a paused
 * number or account). Records the wait and returns its plan; null when the send may go.
 */
export async function waitForWhatsappRules(
  context: NotificationContext,
  claim: NotificationClaim,
  channel: ChannelChoice,
): Promise<NotificationPlan | null> {
  const { db, config, outcomes } = context;
  if (channel.kind !== 'cloud') return null;
  const pause = await sendingGate(db, { id: channel.accountId, pause: channel.pause }, claim.id, config.whatsappPauseProbeIntervalMs);
  if (pause.kind === 'wait') {
    await outcomes.waitWhileAhead(claim.id, { reason: 'SENDING_PAUSED', error: `sending is paused: ${pause.reason}`, notBefore: pause.notBefore });
    return { action: 'wait', notificationStatus: 'WAITING_FOR_WINDOW', notBefore: pause.notBefore.toISOString() };
  }
  const templateWait = templatePausedWait(claim);
  if (templateWait) {
    await outcomes.waitWhileAhead(claim.id, templateWait);
    return { action: 'wait', notificationStatus: 'WAITING_FOR_WINDOW', notBefore: templateWait.notBefore.toISOString() };
  }
  const budget = messagingBudgetOf(claim, channel);
  const slot = budget && (await peekSlot(db, budget.businessId, budget.recipient, budget.limit));
  if (slot?.kind === 'full') {
    await outcomes.waitWhileAhead(claim.id, { reason: 'MESSAGING_LIMIT', error: messagingLimitSentence(slot.limit), notBefore: slot.notBefore });
    return { action: 'wait', notificationStatus: 'WAITING_FOR_WINDOW', notBefore: slot.notBefore.toISOString() };
  }
  return null;
}

/** The same rules at send time (they may have changed since the plan): a wait ends this attempt, held. */
export async function passWhatsappRules(
  context: NotificationContext,
  claim: NotificationClaim,
  channel: SendableChannel,
): Promise<Step<{ probe: boolean; releaseSlot?: () => Promise<void> }>> {
  const { db, config, outcomes } = context;
  if (channel.kind !== 'cloud') return { kind: 'go', probe: false };
  const waitFor = async (reason: NotificationReason, detail: string, notBefore: Date): Promise<Step<never>> => {
    await outcomes.waitWhileAhead(claim.id, { reason, error: detail, notBefore });
    return { kind: 'outcome', outcome: { notificationStatus: await outcomes.currentStatus(claim.id), held: true, detail } };
  };
  const pause = await sendingGate(db, { id: channel.accountId, pause: channel.pause }, claim.id, config.whatsappPauseProbeIntervalMs);
  if (pause.kind === 'wait') return waitFor('SENDING_PAUSED', `sending is paused: ${pause.reason}`, pause.notBefore);
  if (claim.notificationReason === 'MARKETING_LIMIT' && claim.notificationNotBefore && claim.notificationNotBefore.getTime() > Date.now()) {
    return waitFor('MARKETING_LIMIT', claim.notificationError ?? MARKETING_LIMIT_SENTENCE, claim.notificationNotBefore);
  }
  const templateWait = templatePausedWait(claim);
  if (templateWait) return waitFor(templateWait.reason, templateWait.error, templateWait.notBefore);
  // Counted before the stamp: a notification that does not fit never holds a stamp.
  const budget = messagingBudgetOf(claim, channel);
  const slot = budget && (await takeSlot(db, budget.businessId, budget.recipient, budget.limit));
  if (slot?.kind === 'full') return waitFor('MESSAGING_LIMIT', messagingLimitSentence(slot.limit), slot.notBefore);
  const countedAt = slot?.countedAt;
  const releaseSlot = budget && countedAt ? () => releaseLimitSlot(db, budget.businessId, budget.recipient, countedAt) : undefined;
  return { kind: 'go', probe: pause.probe, ...(releaseSlot ? { releaseSlot } : {}) };
}

/**
 * The campaign's template is paused or disabled by Meta and the user has no open session (only a
 * template may go): wait until Meta approves it again (its status update re-plans the claims).
 */
function templatePausedWait(claim: NotificationClaim): { reason: 'TEMPLATE_PAUSED'; error: string; notBefore: Date } | null {
  const { campaign } = claim;
  if (!campaign.notificationTemplateName || templateUsable(campaign.notificationTemplateStatus)) return null;
  if (sessionOpen(claim)) return null;
  return {
    reason: 'TEMPLATE_PAUSED',
    error: `the campaign's WhatsApp template ${campaign.notificationTemplateName} is ${campaign.notificationTemplateStatus} at Meta; outside a conversation only a template may be sent`,
    notBefore: new Date(Date.now() + TEMPLATE_RECHECK_MS),
  };
}

/**
 * The portfolio budget this send counts against, or null when it does not count: not the Cloud
 * API, a portfolio we have not learnt or without a limit, or a user inside their customer-service
 * window (they wrote in the last 24 h).
 */
export function messagingBudgetOf(
  claim: NotificationClaim,
  channel: ChannelChoice,
  options: { sessionClosedAtMeta?: boolean } = {},
): { businessId: string; limit: number; recipient: string } | null {
  if (channel.kind !== 'cloud') return null;
  if (sessionOpen(claim) && !options.sessionClosedAtMeta) return null;
  // The account's portfolio and its limit were read with the claim (notification-claim.ts).
  if (!channel.businessId || channel.messagingLimit === null) return null;
  return { businessId: channel.businessId, limit: channel.messagingLimit, recipient: claim.user.phone };
}

/** A probe went out: Meta lets the account send again. Waiting notifications re-plan now. */
export async function probeSucceeded(context: NotificationContext, accountId: string): Promise<void> {
  const { db, logger, config, temporal } = context;
  const account = await db.whatsappAccount.findUnique({ where: { id: accountId }, select: { id: true, wabaId: true, tenantId: true } });
  if (!account || (await resumeSending(db, account)) === 0) return;
  logger.info({ accountId }, 'WhatsApp sending resumed after a successful probe');
  if (temporal) {
    await requestReplan({ temporal, config }, { kind: 'tenant', tenantId: account.tenantId }).catch((error: unknown) =>
      logger.warn({ err: error, tenantId: account.tenantId }, 'could not signal waiting claims'),
    );
  }
}
