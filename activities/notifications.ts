// WhatsApp notification of a verified claim: when to send (the campaign's window) and the send
// itself, which happens at most once.
//
// "Never twice": before anything goes out, the activity stamps the claim with its own attempt id
// (status SENDING, a conditional update). If an attempt dies without recording its outcome (a
// crash, or a timeout after the request left), the next attempt finds the stamp and records
// UNKNOWN for operators instead of sending again. The stamp is released only when we *know*
// nothing was sent (connect failure before the request was written, 429, 503 with Retry-After,
// rejected credentials), so those cases retry safely. Every outcome write names the attempt
// (notification-outcomes.ts), so a late attempt can never overwrite what its successor recorded.
import { nextWindowOpening, resolveTimeZone } from '../src/domain/notification-window.js';
import { campaignLink, composeNotificationText, templateBodyParameters } from '../src/domain/notification-message.js';
import { sendCloudMessage } from '../src/integrations/meta/whatsapp-business.js';
import { OutboundError } from '../src/integrations/outbound-error.js';
import { sendViaPlatformProvider, sendViaTenantProvider } from '../src/integrations/whatsapp/index.js';
import { applyPendingMessageStatuses } from '../src/notifications/message-status.js';
import { applyMessagePricing } from '../src/notifications/notification-pricing.js';
import { consentRefusal, recordOptOut } from '../src/notifications/consent.js';
import { metaSendRule } from '../src/notifications/meta-send-answers.js';
import { pauseSending, resumeSending, sendingGate } from '../src/notifications/sending-circuit-breaker.js';
import { peekSlot, releaseSlot as releaseLimitSlot, takeSlot } from '../src/notifications/messaging-limit-ledger.js';
import { templateUsable } from '../src/notifications/template-check.js';
import { requestReplan } from '../src/temporal/claim-signals.js';
import type { NotificationReason } from '../src/domain/notification-reason.js';
import { countNotificationHeld } from '../src/observability/business-metrics.js';
import {
  NOTIFICATION_AHEAD,
  isNotificationAhead,
  isNotificationFinal,
  isNotificationSent,
  type NotificationStatus,
  unreachable,
} from '../src/domain/statuses.js';
import type { NotificationPlan, SendOutcome } from './claim-types.js';
import type { ActivityDeps } from './deps.js';
import { ApplicationFailure } from '@temporalio/activity';
import { FailureType, toActivityFailure } from './failures.js';
import { whileHeartbeating } from './heartbeat.js';
import { channelFairnessKey, chooseChannel, type ChannelChoice } from './notification-channel.js';
import { type CarriedNotification, createNotificationOutcomes, type SendAttempt, type SentMessage } from './notification-outcomes.js';
import { createTokenCache } from './token-cache.js';

const SESSION_WINDOW_MS = 24 * 60 * 60_000;

/** WhatsApp's per-user marketing cap (131049): not before 24 h, at most this many retries. */
const MARKETING_RETRY_MS = SESSION_WINDOW_MS + 60_000;
const MARKETING_MAX_RETRIES = 3;
const MARKETING_LIMIT_SENTENCE = 'WhatsApp withheld the message by its per-user marketing limit; retried a day later';
/** A paused template re-checks this often; Meta's status update re-plans the claims at once. */
const TEMPLATE_RECHECK_MS = SESSION_WINDOW_MS;

/** The user wrote to the business in the last 24 h: any message may go, and none counts against the messaging limit. */
const sessionOpen = (claim: { user: { lastInboundAt: Date | null } }) =>
  claim.user.lastInboundAt !== null && Date.now() - claim.user.lastInboundAt.getTime() < SESSION_WINDOW_MS;

const messagingLimitSentence = (limit: number) =>
  `the WhatsApp messaging limit of the business portfolio is reached (${limit} people outside a conversation in 24 h)`;

/** The portfolio's messaging limit has no room for this send; nothing was sent. */
class MessagingLimitReached extends Error {
  constructor(
    readonly limit: number,
    readonly notBefore: Date,
  ) {
    super(messagingLimitSentence(limit));
    this.name = 'MessagingLimitReached';
  }
}

type SendableChannel = Exclude<ChannelChoice, { kind: 'hold' } | { kind: 'none' }>;
/** A step either lets the send go on with what it produced, or ends it with an outcome. */
type Step<T> = ({ kind: 'go' } & T) | { kind: 'outcome'; outcome: SendOutcome };

export function createNotificationActivities(
  deps: Pick<ActivityDeps, 'config' | 'db' | 'secrets' | 'logger' | 'graph'> & Partial<Pick<ActivityDeps, 'temporal'>>,
) {
  const { config, db, secrets, logger, graph } = deps;
  const tokens = createTokenCache(secrets);

  const loadClaim = (completionId: string) =>
    db.socialTaskCompletion.findUniqueOrThrow({
      where: { id: completionId },
      include: { campaign: true, task: true, user: true, tenant: { select: { timezone: true, requireWhatsappOptIn: true } } },
    });

  type LoadedClaim = Awaited<ReturnType<typeof loadClaim>>;

  const outcomes = createNotificationOutcomes(db, logger);
  const finish = (completionId: string, notificationStatus: 'SKIPPED' | 'FAILED', error: string, reason: NotificationReason | null = null) =>
    outcomes.finishWhileAhead(completionId, notificationStatus, error, reason);
  /** No consent to message this user: skipped, and the claim stays credited. */
  const skipWithoutConsent = async (claim: LoadedClaim): Promise<NotificationStatus | null> => {
    const refusal = consentRefusal(claim.user, claim.tenant);
    if (!refusal) return null;
    const why = refusal === 'OPTED_OUT' ? 'the end user opted out of WhatsApp messages' : 'the end user has not opted in to WhatsApp messages';
    return finish(claim.id, 'SKIPPED', why, refusal);
  };

  return {
    /**
     * Decides what to do now, from the campaign as it is now. `now` is the workflow's clock, so
     * the decision is recorded in history and replays identically.
     */
    async planNotification(input: { completionId: string; now: string; ignoreWindow: boolean; maxDelayMs: number }): Promise<NotificationPlan> {
      const claim = await loadClaim(input.completionId);
      const now = new Date(input.now);
      if (claim.status !== 'VERIFIED' || isNotificationFinal(claim.notificationStatus)) {
        return { action: 'done', notificationStatus: claim.notificationStatus };
      }
      // An earlier send attempt was stamped and never recorded its outcome: it may have gone out.
      if (claim.notificationStatus === 'SENDING') {
        return { action: 'done', notificationStatus: await outcomes.resolveInterrupted(claim.id) };
      }
      const { campaign } = claim;
      if (!campaign.notificationEnabled) {
        return { action: 'done', notificationStatus: await finish(claim.id, 'SKIPPED', 'notifications are disabled for this campaign') };
      }
      if (campaign.endsAt && campaign.endsAt <= now) {
        return { action: 'done', notificationStatus: await finish(claim.id, 'SKIPPED', 'the campaign ended before the notification could be sent') };
      }
      const withoutConsent = await skipWithoutConsent(claim);
      if (withoutConsent) return { action: 'done', notificationStatus: withoutConsent };
      const verifiedAt = claim.verifiedAt ?? now;
      // Checked before holds and windows alike: a notification held for weeks (account needing
      // reconnection, provider rejecting our key) must not wake the user once it is released.
      // notify-now is an explicit operator decision and bypasses it.
      if (!input.ignoreWindow && now.getTime() - verifiedAt.getTime() > input.maxDelayMs) {
        return {
          action: 'done',
          notificationStatus: await finish(claim.id, 'SKIPPED', 'the notification could not be sent within the maximum delay after verification'),
        };
      }
      const channel = await chooseChannel(deps, { tenantId: claim.tenantId, campaignWhatsappAccountId: campaign.whatsappAccountId });
      if (channel.kind === 'hold') {
        await outcomes.noteWhileAhead(claim.id, channel.reason);
        countNotificationHeld();
        return { action: 'hold', notificationStatus: claim.notificationStatus, reason: channel.reason };
      }
      const channelKey = channelFairnessKey(channel, claim.tenantId);
      // WhatsApp withheld it by its marketing cap: not again before the day it named (also for notify-now).
      if (claim.notificationReason === 'MARKETING_LIMIT' && claim.notificationNotBefore && claim.notificationNotBefore > now) {
        return { action: 'wait', notificationStatus: 'WAITING_FOR_WINDOW', notBefore: claim.notificationNotBefore.toISOString() };
      }
      // WhatsApp's rules (pauses, limits) apply to every send, notify-now included.
      const sendNow = async (): Promise<NotificationPlan> =>
        (await waitForWhatsappRules(claim, channel)) ?? { action: 'send', notificationStatus: claim.notificationStatus, channelKey };
      if (input.ignoreWindow) return sendNow();

      const window = {
        timeZone: resolveTimeZone(campaign.timezone, claim.tenant.timezone),
        startHour: campaign.notificationStartHour,
        endHour: campaign.notificationEndHour,
      };
      const opensAt = nextWindowOpening(now, window);
      if (opensAt.getTime() <= now.getTime()) return sendNow();

      if (opensAt.getTime() - verifiedAt.getTime() > input.maxDelayMs) {
        return {
          action: 'done',
          notificationStatus: await finish(
            claim.id,
            'SKIPPED',
            `the notification window opens too long after verification (${opensAt.toISOString()})`,
          ),
        };
      }
      if (campaign.endsAt && campaign.endsAt <= opensAt) {
        return { action: 'done', notificationStatus: await finish(claim.id, 'SKIPPED', 'the campaign ends before the notification window opens') };
      }
      await db.socialTaskCompletion.updateMany({
        where: { id: claim.id, notificationStatus: { in: [...NOTIFICATION_AHEAD] } },
        data: { notificationStatus: 'WAITING_FOR_WINDOW', notificationNotBefore: opensAt, notificationError: null, notificationReason: null },
      });
      return { action: 'wait', notificationStatus: 'WAITING_FOR_WINDOW', notBefore: opensAt.toISOString() };
    },

    /**
     * Sends the notification at most once, in four steps: choose the channel, stamp the attempt,
     * transmit, record what happened. Everything that can fail without sending (loading,
     * choosing, decrypting) happens before the stamp, so such failures retry instead of turning
     * into UNKNOWN.
     */
    async sendNotification(input: { completionId: string }): Promise<SendOutcome> {
      // Heartbeats for the whole attempt: a worker that dies mid-send is noticed in seconds, not
      // after the 2-minute timeout (fewer UNKNOWNs); a slow database or provider is not mistaken for one.
      return whileHeartbeating(async () => {
        const claim = await loadClaim(input.completionId);
        const settled = await alreadySettled(claim);
        if (settled) return settled;
        // Consent may have been withdrawn since the plan (a STOP while the send was retried).
        const withoutConsent = await skipWithoutConsent(claim);
        if (withoutConsent) return { notificationStatus: withoutConsent };
        const chosen = await chooseSendableChannel(claim);
        if (chosen.kind === 'outcome') return chosen.outcome;
        const gate = await passWhatsappRules(claim, chosen.channel);
        if (gate.kind === 'outcome') return gate.outcome;
        const transmit = prepareSend(chosen.channel, claim);
        const attempt = await stampAttempt(claim, chosen.channel);
        if (attempt.kind === 'outcome') return attempt.outcome;
        const outcome = await transmitAndRecord(attempt.attempt, chosen.channel, () => transmit(attempt.carried), claim, gate.releaseSlot);
        if (gate.probe && chosen.channel.kind === 'cloud' && isNotificationSent(outcome.notificationStatus))
          await probeSucceeded(chosen.channel.accountId);
        return outcome;
      });
    },

    /** The send could not be completed within its retry budget. */
    async markNotificationFailed(input: { completionId: string; reason: string }): Promise<NotificationStatus> {
      const current = await outcomes.currentStatus(input.completionId);
      if (current === 'SENDING') return outcomes.resolveInterrupted(input.completionId, input.reason);
      if (isNotificationFinal(current)) return current;
      return outcomes.finishWhileAhead(input.completionId, 'FAILED', input.reason);
    },
  };

  /**
   * Before a plan says "send": a rule of WhatsApp's that makes this notification wait (a paused
   * number or account). Records the wait and returns its plan; null when the send may go.
   */
  async function waitForWhatsappRules(claim: LoadedClaim, channel: ChannelChoice): Promise<NotificationPlan | null> {
    if (channel.kind !== 'cloud') return null;
    const pause = await sendingGate(db, channel.accountId, claim.id, config.whatsappPauseProbeIntervalMs);
    if (pause.kind === 'wait') {
      await outcomes.waitWhileAhead(claim.id, { reason: 'SENDING_PAUSED', error: `sending is paused: ${pause.reason}`, notBefore: pause.notBefore });
      return { action: 'wait', notificationStatus: 'WAITING_FOR_WINDOW', notBefore: pause.notBefore.toISOString() };
    }
    const templateWait = templatePausedWait(claim);
    if (templateWait) {
      await outcomes.waitWhileAhead(claim.id, templateWait);
      return { action: 'wait', notificationStatus: 'WAITING_FOR_WINDOW', notBefore: templateWait.notBefore.toISOString() };
    }
    const budget = await messagingBudgetOf(claim, channel);
    const slot = budget && (await peekSlot(db, budget.businessId, budget.recipient, budget.limit));
    if (slot?.kind === 'full') {
      await outcomes.waitWhileAhead(claim.id, { reason: 'MESSAGING_LIMIT', error: messagingLimitSentence(slot.limit), notBefore: slot.notBefore });
      return { action: 'wait', notificationStatus: 'WAITING_FOR_WINDOW', notBefore: slot.notBefore.toISOString() };
    }
    return null;
  }

  /**
   * The campaign's template is paused or disabled by Meta and the user has no open session (only a
   * template may go): wait until Meta approves it again (its status update re-plans the claims).
   */
  function templatePausedWait(claim: LoadedClaim): { reason: 'TEMPLATE_PAUSED'; error: string; notBefore: Date } | null {
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
  async function messagingBudgetOf(
    claim: LoadedClaim,
    channel: ChannelChoice,
    options: { sessionClosedAtMeta?: boolean } = {},
  ): Promise<{ businessId: string; limit: number; recipient: string } | null> {
    if (channel.kind !== 'cloud') return null;
    if (sessionOpen(claim) && !options.sessionClosedAtMeta) return null;
    const account = await db.whatsappAccount.findUnique({ where: { id: channel.accountId }, select: { businessId: true } });
    if (!account?.businessId) return null;
    const portfolio = await db.whatsappPortfolio.findUnique({ where: { id: account.businessId }, select: { messagingLimit: true } });
    if (portfolio?.messagingLimit === null || portfolio?.messagingLimit === undefined) return null;
    return { businessId: account.businessId, limit: portfolio.messagingLimit, recipient: claim.user.phone };
  }

  /** The same rules at send time (they may have changed since the plan): a wait ends this attempt, held. */
  async function passWhatsappRules(
    claim: LoadedClaim,
    channel: SendableChannel,
  ): Promise<Step<{ probe: boolean; releaseSlot?: () => Promise<void> }>> {
    if (channel.kind !== 'cloud') return { kind: 'go', probe: false };
    const waitFor = async (reason: NotificationReason, detail: string, notBefore: Date): Promise<Step<never>> => {
      await outcomes.waitWhileAhead(claim.id, { reason, error: detail, notBefore });
      return { kind: 'outcome', outcome: { notificationStatus: await outcomes.currentStatus(claim.id), held: true, detail } };
    };
    const pause = await sendingGate(db, channel.accountId, claim.id, config.whatsappPauseProbeIntervalMs);
    if (pause.kind === 'wait') return waitFor('SENDING_PAUSED', `sending is paused: ${pause.reason}`, pause.notBefore);
    if (claim.notificationReason === 'MARKETING_LIMIT' && claim.notificationNotBefore && claim.notificationNotBefore.getTime() > Date.now()) {
      return waitFor('MARKETING_LIMIT', claim.notificationError ?? MARKETING_LIMIT_SENTENCE, claim.notificationNotBefore);
    }
    const templateWait = templatePausedWait(claim);
    if (templateWait) return waitFor(templateWait.reason, templateWait.error, templateWait.notBefore);
    // Counted before the stamp: a notification that does not fit never holds a stamp.
    const budget = await messagingBudgetOf(claim, channel);
    const slot = budget && (await takeSlot(db, budget.businessId, budget.recipient, budget.limit));
    if (slot?.kind === 'full') return waitFor('MESSAGING_LIMIT', messagingLimitSentence(slot.limit), slot.notBefore);
    const countedAt = slot?.countedAt;
    const releaseSlot = budget && countedAt ? () => releaseLimitSlot(db, budget.businessId, budget.recipient, countedAt) : undefined;
    return { kind: 'go', probe: pause.probe, ...(releaseSlot ? { releaseSlot } : {}) };
  }

  /** A probe went out: Meta lets the account send again. Waiting notifications re-plan now. */
  async function probeSucceeded(accountId: string): Promise<void> {
    const account = await db.whatsappAccount.findUnique({ where: { id: accountId }, select: { id: true, wabaId: true, tenantId: true } });
    if (!account || (await resumeSending(db, account)) === 0) return;
    logger.info({ accountId }, 'WhatsApp sending resumed after a successful probe');
    if (deps.temporal) {
      await requestReplan({ temporal: deps.temporal, config }, { kind: 'tenant', tenantId: account.tenantId }).catch((error: unknown) =>
        logger.warn({ err: error, tenantId: account.tenantId }, 'could not signal waiting claims'),
      );
    }
  }

  /** Nothing to send: the claim is not verified, or its notification is decided or in flight. */
  async function alreadySettled(claim: LoadedClaim): Promise<SendOutcome | null> {
    if (claim.status !== 'VERIFIED') return { notificationStatus: claim.notificationStatus };
    if (claim.notificationStatus === 'SENDING') return { notificationStatus: await outcomes.resolveInterrupted(claim.id) };
    if (!isNotificationAhead(claim.notificationStatus)) return { notificationStatus: claim.notificationStatus };
    return null;
  }

  /** Step 1, choose the channel: a held channel keeps the notification waiting; no channel fails it. */
  async function chooseSendableChannel(claim: LoadedClaim): Promise<Step<{ channel: SendableChannel }>> {
    const channel = await chooseChannel(
      deps,
      { tenantId: claim.tenantId, campaignWhatsappAccountId: claim.campaign.whatsappAccountId },
      { reserve: true },
    );
    switch (channel.kind) {
      case 'hold':
        await outcomes.noteWhileAhead(claim.id, channel.reason);
        countNotificationHeld();
        return { kind: 'outcome', outcome: { notificationStatus: claim.notificationStatus, held: true, detail: channel.reason } };
      case 'none':
        return { kind: 'outcome', outcome: { notificationStatus: await outcomes.finishWhileAhead(claim.id, 'FAILED', channel.reason) } };
      default:
        return { kind: 'go', channel };
    }
  }

  /**
   * Step 2, stamp: claim the send for this attempt, with the same user's notifications due with it
   * (they ride on this message); a lost race reports what the winner left. A message from this
   * number to this phone less than 6 s ago: nothing stamped, retried after the rest of the 6 s.
   */
  async function stampAttempt(claim: LoadedClaim, channel: SendableChannel): Promise<Step<{ attempt: SendAttempt; carried: CarriedNotification[] }>> {
    const completionId = claim.id;
    const stamped = await outcomes.stamp(completionId, {
      tenantId: claim.tenantId,
      userId: claim.userId,
      campaignId: claim.campaignId,
      sender: channelFairnessKey(channel, claim.tenantId) ?? channel.kind,
      phone: claim.user.phone,
    });
    if (stamped.kind === 'stamped') return { kind: 'go', attempt: stamped.attempt, carried: stamped.carried };
    if (stamped.kind === 'too_soon') {
      throw ApplicationFailure.create({
        type: FailureType.RateLimited,
        message: 'another message went from this number to this phone less than 6 s ago (one message per recipient at a time); nothing sent',
        nextRetryDelay: Math.max(stamped.retryInMs, 100),
      });
    }
    const current = await outcomes.currentStatus(completionId);
    return { kind: 'outcome', outcome: { notificationStatus: current === 'SENDING' ? await outcomes.resolveInterrupted(completionId) : current } };
  }

  /** Steps 3 and 4, transmit and record: the one outbound call, then its outcome under the stamp. */
  async function transmitAndRecord(
    attempt: SendAttempt,
    channel: SendableChannel,
    transmit: () => Promise<SentMessage>,
    claim: LoadedClaim,
    releaseSlot?: () => Promise<void>,
  ): Promise<SendOutcome> {
    let sent;
    try {
      sent = await transmit();
    } catch (error) {
      if (error instanceof MessagingLimitReached) {
        // Nothing went out: the template that would replace a refused text does not fit the limit.
        const released = await outcomes.releaseToWait(attempt, {
          reason: 'MESSAGING_LIMIT',
          error: messagingLimitSentence(error.limit),
          notBefore: error.notBefore,
        });
        return {
          notificationStatus: released ? 'WAITING_FOR_WINDOW' : await outcomes.currentStatus(attempt.completionId),
          held: released,
          detail: error.message,
        };
      }
      // An answer that proves nothing went out gives back the recipient it counted.
      if (releaseSlot && error instanceof OutboundError && error.kind !== 'ambiguous') await releaseSlot();
      const ruled = error instanceof OutboundError ? await applyMetaRule(attempt, channel, error, claim) : null;
      return ruled ?? recordFailure(attempt, channel, error);
    }
    const status = await outcomes.recordSent(attempt, sent);
    // A delivery status may have arrived before we recorded the message id. Only Meta reports
    // delivery statuses (Cloud API sends); for the providers there is nothing to merge or re-read.
    if (status !== 'SENT' || sent.channelName !== 'WHATSAPP_CLOUD' || !sent.providerMessageId) return { notificationStatus: status };
    await applyPendingMessageStatuses(db, sent.providerMessageId);
    await applyMessagePricing(db, sent.providerMessageId);
    return { notificationStatus: await outcomes.currentStatus(attempt.completionId) };
  }

  /**
   * Meta's refusals that say more than "this message failed" (meta-send-answers.ts): the answer
   * proves nothing went out, so the notification may wait instead of failing. Null: not one of them.
   */
  async function applyMetaRule(
    attempt: SendAttempt,
    channel: SendableChannel,
    error: OutboundError,
    claim: LoadedClaim,
  ): Promise<SendOutcome | null> {
    const rule = channel.kind === 'cloud' ? metaSendRule(error) : null;
    if (!rule) return null;
    switch (rule.kind) {
      case 'pause_number':
      case 'pause_account': {
        if (channel.kind !== 'cloud') return null;
        const account = await db.whatsappAccount.findUniqueOrThrow({ where: { id: channel.accountId }, select: { id: true, wabaId: true } });
        await pauseSending(db, logger, account, String(rule.code));
        // This attempt used the interval's probe (or none): the next one is an interval away.
        await db.whatsappAccount.updateMany({
          where: { id: account.id, sendingProbeCompletionId: claim.id },
          data: { sendingProbeCompletionId: null },
        });
        const detail = `${channelLabel(channel)}: ${error.message}`;
        const notBefore = new Date(Date.now() + config.whatsappPauseProbeIntervalMs);
        const released = await outcomes.releaseToWait(attempt, { reason: 'SENDING_PAUSED', error: detail, notBefore });
        return { notificationStatus: released ? 'WAITING_FOR_WINDOW' : await outcomes.currentStatus(attempt.completionId), held: released, detail };
      }
      case 'marketing_limit': {
        // WhatsApp's per-user marketing cap: not before 24 h (sooner fails again), at most 3 retries
        // inside the maximum delay, then FAILED. Meta's answer proves nothing went out.
        const detail = `${channelLabel(channel)}: ${error.message}`;
        const retries = claim.notificationMarketingRetries + 1;
        const notBefore = new Date(Date.now() + MARKETING_RETRY_MS);
        const deadline = (claim.verifiedAt ?? new Date()).getTime() + config.notificationMaxDelayMs;
        await db.socialTaskCompletion.updateMany({
          where: { id: claim.id, notificationAttemptId: attempt.attemptId },
          data: { notificationMarketingRetries: retries },
        });
        if (retries > MARKETING_MAX_RETRIES || notBefore.getTime() > deadline) {
          return {
            notificationStatus: await outcomes.failAttemptFor(attempt, 'MARKETING_LIMIT', `${detail} (${retries} times; not retried)`),
          };
        }
        const released = await outcomes.releaseToWait(attempt, { reason: 'MARKETING_LIMIT', error: detail, notBefore });
        return { notificationStatus: released ? 'WAITING_FOR_WINDOW' : await outcomes.currentStatus(attempt.completionId), held: released, detail };
      }
      case 'template_paused': {
        // Meta paused (132015) or disabled (132016) the template: the campaign's template is unusable until approved again.
        const status = rule.code === 132016 ? 'DISABLED' : 'PAUSED';
        await db.campaign.updateMany({ where: { id: claim.campaignId }, data: { notificationTemplateStatus: status } });
        const detail = `${channelLabel(channel)}: ${error.message}`;
        const released = await outcomes.releaseToWait(attempt, {
          reason: 'TEMPLATE_PAUSED',
          error: detail,
          notBefore: new Date(Date.now() + TEMPLATE_RECHECK_MS),
        });
        return { notificationStatus: released ? 'WAITING_FOR_WINDOW' : await outcomes.currentStatus(attempt.completionId), held: released, detail };
      }
      case 'opted_out':
        await recordOptOut(db, { tenantId: claim.tenantId, phone: claim.user.phone });
        return {
          notificationStatus: await outcomes.failAttemptFor(attempt, 'OPTED_OUT', `${channelLabel(channel)}: ${error.message}`),
        };
      default:
        return null;
    }
  }

  /** What a failed transmission means for the notification: only a proven "not sent" is released. */
  async function recordFailure(attempt: SendAttempt, channel: SendableChannel, error: unknown): Promise<SendOutcome> {
    // Not an outside service's answer (a bug, or the database failing after the request): the
    // stamp stays, and the retry records UNKNOWN.
    if (!(error instanceof OutboundError)) throw error;
    const reason = `${channelLabel(channel)}: ${error.message}`;
    switch (error.kind) {
      case 'ambiguous':
        return {
          notificationStatus: await outcomes.finishAttempt(attempt, 'UNKNOWN', `${reason} (it may have been delivered; not resent)`, {
            channel: channelName(channel),
          }),
        };
      case 'permanent':
        return { notificationStatus: await outcomes.finishAttempt(attempt, 'FAILED', reason, { channel: channelName(channel) }) };
      case 'auth': {
        if (channel.kind === 'cloud') {
          tokens.forget(channel.sealedToken);
          await db.whatsappAccount.updateMany({
            where: { id: channel.accountId, status: 'ACTIVE' },
            data: { status: 'NEEDS_REAUTH', statusReason: `token rejected while sending: ${error.message}` },
          });
        }
        const released = await outcomes.release(attempt, reason);
        if (!released) return { notificationStatus: await outcomes.currentStatus(attempt.completionId) };
        countNotificationHeld();
        return { notificationStatus: 'PENDING', held: true, detail: reason };
      }
      case 'rate_limited':
      case 'transient': {
        // Nothing was sent: release and let Temporal retry, unless a successor already decided.
        if (!(await outcomes.release(attempt, reason))) return { notificationStatus: await outcomes.currentStatus(attempt.completionId) };
        throw toActivityFailure(error, 'WhatsApp send');
      }
      default:
        return unreachable(error.kind);
    }
  }

  /**
   * Builds the request (decrypting what it needs, before the stamp) and returns the one call that
   * sends it, given the notifications the stamp found riding on this message.
   */
  function prepareSend(channel: SendableChannel, claim: LoadedClaim): (carried: readonly CarriedNotification[]) => Promise<SentMessage> {
    const contentWith = (carried: readonly CarriedNotification[]) => ({
      userName: claim.user.name,
      taskTitle: claim.task.title,
      moreTaskTitles: carried.map((other) => other.taskTitle),
      spins: claim.spinsAwarded + carried.reduce((sum, other) => sum + other.spins, 0),
      campaignUrl: campaignLink(config.publicAppUrl, claim.campaignId),
    });
    const textWith = (carried: readonly CarriedNotification[]) => composeNotificationText(contentWith(carried));
    const timeoutMs = config.outboundHttpTimeoutMs;

    if (channel.kind === 'cloud') {
      const template = templateUsable(claim.campaign.notificationTemplateStatus) ? claim.campaign.notificationTemplateName : null;
      const templateWith = (carried: readonly CarriedNotification[]) =>
        template
          ? {
              type: 'template' as const,
              name: template,
              language: claim.campaign.notificationTemplateLanguage ?? 'en',
              bodyParameters: templateBodyParameters(contentWith(carried)),
            }
          : null;
      const messageWith = (carried: readonly CarriedNotification[]) =>
        (!sessionOpen(claim) && templateWith(carried)) || { type: 'text' as const, body: textWith(carried) };
      const token = tokens.open(channel.sealedToken);
      const sendOne = (message: ReturnType<typeof messageWith>) =>
        sendCloudMessage(graph, { phoneNumberId: channel.phoneNumberId, token, to: claim.user.phone, message, bizOpaqueCallbackData: claim.id });
      return async (carried) => {
        const message = messageWith(carried);
        let sent;
        try {
          sent = await sendOne(message);
        } catch (error) {
          // 131047: the session we believed open is closed at Meta. Its answer proves nothing went
          // out, so the same attempt sends once more, as the campaign's template, which counts
          // against the portfolio's messaging limit (the text did not).
          const fallback = message.type === 'text' ? templateWith(carried) : null;
          if (!fallback || !(error instanceof OutboundError) || metaSendRule(error)?.kind !== 'outside_window') throw error;
          const budget = await messagingBudgetOf(claim, channel, { sessionClosedAtMeta: true });
          const slot = budget && (await takeSlot(db, budget.businessId, budget.recipient, budget.limit));
          if (slot?.kind === 'full') throw new MessagingLimitReached(slot.limit, slot.notBefore);
          try {
            sent = await sendOne(fallback);
          } catch (fallbackError) {
            if (budget && slot?.countedAt && fallbackError instanceof OutboundError && fallbackError.kind !== 'ambiguous') {
              await releaseLimitSlot(db, budget.businessId, budget.recipient, slot.countedAt);
            }
            throw fallbackError;
          }
        }
        return { channelName: 'WHATSAPP_CLOUD', providerMessageId: sent.messageId };
      };
    }
    if (channel.kind === 'tenant_provider') {
      return async (carried) => {
        const sent = await sendViaTenantProvider(
          channel.config,
          { number: claim.user.phone, message: textWith(carried) },
          {
            timeoutMs,
            allowPrivateNetworks: config.outboundAllowPrivateNetworks,
          },
        );
        return { channelName: 'TENANT_PROVIDER', providerMessageId: sent.providerMessageId };
      };
    }
    return async (carried) => {
      const sent = await sendViaPlatformProvider(
        { apiUrl: channel.apiUrl, apiKey: channel.apiKey, instanceId: channel.instanceId },
        { number: claim.user.phone, message: textWith(carried) },
        { timeoutMs },
      );
      return { channelName: 'PLATFORM_PROVIDER', providerMessageId: sent.providerMessageId };
    };
  }
}

/** The channel's name as recorded on the claim (notificationChannel). */
function channelName(channel: SendableChannel): SentMessage['channelName'] {
  switch (channel.kind) {
    case 'cloud':
      return 'WHATSAPP_CLOUD';
    case 'tenant_provider':
      return 'TENANT_PROVIDER';
    case 'platform_provider':
      return 'PLATFORM_PROVIDER';
    default:
      return unreachable(channel);
  }
}

function channelLabel(channel: SendableChannel): string {
  switch (channel.kind) {
    case 'cloud':
      return 'WhatsApp Cloud API';
    case 'tenant_provider':
      return "tenant's WhatsApp provider";
    case 'platform_provider':
      return "platform's WhatsApp provider";
    default:
      return unreachable(channel);
  }
}
