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
import { countNotificationHeld } from '../src/observability/business-metrics.js';
import { NOTIFICATION_AHEAD, isNotificationAhead, isNotificationFinal, type NotificationStatus, unreachable } from '../src/domain/statuses.js';
import type { NotificationPlan, SendOutcome } from './claim-types.js';
import type { ActivityDeps } from './deps.js';
import { ApplicationFailure } from '@temporalio/activity';
import { FailureType, toActivityFailure } from './failures.js';
import { whileHeartbeating } from './heartbeat.js';
import { channelFairnessKey, chooseChannel, type ChannelChoice } from './notification-channel.js';
import { type CarriedNotification, createNotificationOutcomes, type SendAttempt, type SentMessage } from './notification-outcomes.js';
import { createTokenCache } from './token-cache.js';

const SESSION_WINDOW_MS = 24 * 60 * 60_000;

type SendableChannel = Exclude<ChannelChoice, { kind: 'hold' } | { kind: 'none' }>;
/** A step either lets the send go on with what it produced, or ends it with an outcome. */
type Step<T> = ({ kind: 'go' } & T) | { kind: 'outcome'; outcome: SendOutcome };

export function createNotificationActivities(deps: Pick<ActivityDeps, 'config' | 'db' | 'secrets' | 'logger' | 'graph'>) {
  const { config, db, secrets, logger, graph } = deps;
  const tokens = createTokenCache(secrets);

  const loadClaim = (completionId: string) =>
    db.socialTaskCompletion.findUniqueOrThrow({
      where: { id: completionId },
      include: { campaign: true, task: true, user: true, tenant: { select: { timezone: true } } },
    });

  type LoadedClaim = Awaited<ReturnType<typeof loadClaim>>;

  const outcomes = createNotificationOutcomes(db, logger);
  const finish = (completionId: string, notificationStatus: 'SKIPPED' | 'FAILED', error: string) =>
    outcomes.finishWhileAhead(completionId, notificationStatus, error);

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
      if (input.ignoreWindow) return { action: 'send', notificationStatus: claim.notificationStatus, channelKey };

      const window = {
        timeZone: resolveTimeZone(campaign.timezone, claim.tenant.timezone),
        startHour: campaign.notificationStartHour,
        endHour: campaign.notificationEndHour,
      };
      const opensAt = nextWindowOpening(now, window);
      if (opensAt.getTime() <= now.getTime()) return { action: 'send', notificationStatus: claim.notificationStatus, channelKey };

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
        data: { notificationStatus: 'WAITING_FOR_WINDOW', notificationNotBefore: opensAt, notificationError: null },
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
        const chosen = await chooseSendableChannel(claim);
        if (chosen.kind === 'outcome') return chosen.outcome;
        const transmit = prepareSend(chosen.channel, claim);
        const attempt = await stampAttempt(claim);
        if (attempt.kind === 'outcome') return attempt.outcome;
        return transmitAndRecord(attempt.attempt, chosen.channel, () => transmit(attempt.carried));
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

  /** Nothing to send: the claim is not verified, or its notification is decided or in flight. */
  async function alreadySettled(claim: LoadedClaim): Promise<SendOutcome | null> {
    if (claim.status !== 'VERIFIED') return { notificationStatus: claim.notificationStatus };
    if (claim.notificationStatus === 'SENDING') return { notificationStatus: await outcomes.resolveInterrupted(claim.id) };
    if (!isNotificationAhead(claim.notificationStatus)) return { notificationStatus: claim.notificationStatus };
    return null;
  }

  /** Step 1, choose the channel: a held channel keeps the notification waiting; no channel fails it. */
  async function chooseSendableChannel(claim: LoadedClaim): Promise<Step<{ channel: SendableChannel }>> {
    const channel = await chooseChannel(deps, { tenantId: claim.tenantId, campaignWhatsappAccountId: claim.campaign.whatsappAccountId });
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
   * (they ride on this message); a lost race reports what the winner left. A message to this user
   * less than 6 s ago: nothing stamped, retried after the rest of the 6 s.
   */
  async function stampAttempt(claim: LoadedClaim): Promise<Step<{ attempt: SendAttempt; carried: CarriedNotification[] }>> {
    const completionId = claim.id;
    const stamped = await outcomes.stamp(completionId, { tenantId: claim.tenantId, userId: claim.userId, campaignId: claim.campaignId });
    if (stamped.kind === 'stamped') return { kind: 'go', attempt: stamped.attempt, carried: stamped.carried };
    if (stamped.kind === 'too_soon') {
      throw ApplicationFailure.create({
        type: FailureType.RateLimited,
        message: 'another message went to this end user less than 6 s ago (one message per recipient at a time); nothing sent',
        nextRetryDelay: Math.max(stamped.retryInMs, 100),
      });
    }
    const current = await outcomes.currentStatus(completionId);
    return { kind: 'outcome', outcome: { notificationStatus: current === 'SENDING' ? await outcomes.resolveInterrupted(completionId) : current } };
  }

  /** Steps 3 and 4, transmit and record: the one outbound call, then its outcome under the stamp. */
  async function transmitAndRecord(attempt: SendAttempt, channel: SendableChannel, transmit: () => Promise<SentMessage>): Promise<SendOutcome> {
    let sent;
    try {
      sent = await transmit();
    } catch (error) {
      return recordFailure(attempt, channel, error);
    }
    const status = await outcomes.recordSent(attempt, sent);
    // A delivery status may have arrived before we recorded the message id. Only Meta reports
    // delivery statuses (Cloud API sends); for the providers there is nothing to merge or re-read.
    if (status !== 'SENT' || sent.channelName !== 'WHATSAPP_CLOUD' || !sent.providerMessageId) return { notificationStatus: status };
    await applyPendingMessageStatuses(db, sent.providerMessageId);
    return { notificationStatus: await outcomes.currentStatus(attempt.completionId) };
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
          notificationStatus: await outcomes.finishAttempt(
            attempt,
            'UNKNOWN',
            `${reason} (it may have been delivered; not resent)`,
            channelName(channel),
          ),
        };
      case 'permanent':
        return { notificationStatus: await outcomes.finishAttempt(attempt, 'FAILED', reason, channelName(channel)) };
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
      const template = claim.campaign.notificationTemplateName;
      const sessionOpen = claim.user.lastInboundAt !== null && Date.now() - claim.user.lastInboundAt.getTime() < SESSION_WINDOW_MS;
      const messageWith = (carried: readonly CarriedNotification[]) =>
        template && !sessionOpen
          ? {
              type: 'template' as const,
              name: template,
              language: claim.campaign.notificationTemplateLanguage ?? 'en',
              bodyParameters: templateBodyParameters(contentWith(carried)),
            }
          : { type: 'text' as const, body: textWith(carried) };
      const token = tokens.open(channel.sealedToken);
      return async (carried) => {
        const message = messageWith(carried);
        const sent = await sendCloudMessage(graph, {
          phoneNumberId: channel.phoneNumberId,
          token,
          to: claim.user.phone,
          message,
          bizOpaqueCallbackData: claim.id,
        });
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
