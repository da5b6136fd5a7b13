// WhatsApp notification of a verified claim: when to send (the campaign's window) and the send
// itself, which happens at most once.
//
// "Never twice": before anything goes out, the activity stamps notificationAttemptedAt with a
// conditional update (status SENDING). If an attempt dies without recording its outcome (a
// crash, or a timeout after the request left), the next attempt finds the stamp and records
// UNKNOWN for operators instead of sending again. The stamp is released only when we *know*
// nothing was sent (connect failure, 429, 503, hold), so those cases retry safely.
import { nextWindowOpening, resolveTimeZone } from '../src/domain/notification-window.js';
import { campaignLink, composeNotificationText, templateBodyParameters } from '../src/domain/notification-message.js';
import { graphClientFromConfig } from '../src/integrations/meta/graph-client-from-config.js';
import { sendCloudMessage } from '../src/integrations/meta/whatsapp-business.js';
import { OutboundError } from '../src/integrations/outbound-error.js';
import { sendViaPlatformProvider, sendViaTenantProvider } from '../src/integrations/whatsapp/index.js';
import { applyPendingMessageStatuses } from '../src/notifications/message-status.js';
import type { NotificationPlan, SendOutcome } from './claim-types.js';
import type { ActivityDeps } from './deps.js';
import { toActivityFailure } from './failures.js';
import { chooseChannel, type ChannelChoice } from './notification-channel.js';
import { createTokenCache } from './token-cache.js';

const SESSION_WINDOW_MS = 24 * 60 * 60_000;
const FINAL = new Set(['SENT', 'DELIVERED', 'READ', 'FAILED', 'SKIPPED', 'UNKNOWN']);

export function createNotificationActivities(deps: Pick<ActivityDeps, 'config' | 'db' | 'secrets' | 'logger'>) {
  const { config, db, secrets, logger } = deps;
  const graph = graphClientFromConfig(config);
  const tokens = createTokenCache(secrets);

  const loadClaim = (completionId: string) =>
    db.socialTaskCompletion.findUniqueOrThrow({
      where: { id: completionId },
      include: { campaign: true, task: true, user: true, tenant: { select: { timezone: true } } },
    });

  const finish = async (completionId: string, notificationStatus: 'SKIPPED' | 'FAILED' | 'UNKNOWN', error: string) => {
    await db.socialTaskCompletion.update({ where: { id: completionId }, data: { notificationStatus, notificationError: error, notificationNotBefore: null } });
    return notificationStatus;
  };

  return {
    /**
     * Decides what to do now, from the campaign as it is now. `now` is the workflow's clock, so
     * the decision is recorded in history and replays identically.
     */
    async planNotification(input: { completionId: string; now: string; ignoreWindow: boolean; maxDelayMs: number }): Promise<NotificationPlan> {
      const claim = await loadClaim(input.completionId);
      const now = new Date(input.now);
      if (claim.status !== 'VERIFIED' || FINAL.has(claim.notificationStatus)) {
        return { action: 'done', notificationStatus: claim.notificationStatus };
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
        return { action: 'done', notificationStatus: await finish(claim.id, 'SKIPPED', 'the notification could not be sent within the maximum delay after verification') };
      }
      const channel = await chooseChannel(deps, { tenantId: claim.tenantId, campaignWhatsappAccountId: campaign.whatsappAccountId });
      if (channel.kind === 'hold') {
        await db.socialTaskCompletion.update({ where: { id: claim.id }, data: { notificationError: channel.reason } });
        return { action: 'hold', notificationStatus: claim.notificationStatus, reason: channel.reason };
      }
      if (input.ignoreWindow) return { action: 'send', notificationStatus: claim.notificationStatus };

      const window = {
        timeZone: resolveTimeZone(campaign.timezone, claim.tenant.timezone),
        startHour: campaign.notificationStartHour,
        endHour: campaign.notificationEndHour,
      };
      const opensAt = nextWindowOpening(now, window);
      if (opensAt.getTime() <= now.getTime()) return { action: 'send', notificationStatus: claim.notificationStatus };

      if (opensAt.getTime() - verifiedAt.getTime() > input.maxDelayMs) {
        return { action: 'done', notificationStatus: await finish(claim.id, 'SKIPPED', `the notification window opens too long after verification (${opensAt.toISOString()})`) };
      }
      if (campaign.endsAt && campaign.endsAt <= opensAt) {
        return { action: 'done', notificationStatus: await finish(claim.id, 'SKIPPED', 'the campaign ends before the notification window opens') };
      }
      await db.socialTaskCompletion.updateMany({
        where: { id: claim.id, notificationStatus: { in: ['PENDING', 'WAITING_FOR_WINDOW'] } },
        data: { notificationStatus: 'WAITING_FOR_WINDOW', notificationNotBefore: opensAt, notificationError: null },
      });
      return { action: 'wait', notificationStatus: 'WAITING_FOR_WINDOW', notBefore: opensAt.toISOString() };
    },

    async sendNotification(input: { completionId: string }): Promise<SendOutcome> {
      const { completionId } = input;
      // Everything that can fail without sending (loading, choosing, decrypting) happens before
      // the stamp, so such failures retry instead of turning into UNKNOWN.
      const claim = await loadClaim(completionId);
      if (claim.status !== 'VERIFIED' || !['PENDING', 'WAITING_FOR_WINDOW', 'SENDING'].includes(claim.notificationStatus)) {
        return { notificationStatus: claim.notificationStatus };
      }
      const channel = await chooseChannel(deps, { tenantId: claim.tenantId, campaignWhatsappAccountId: claim.campaign.whatsappAccountId });
      if (channel.kind === 'hold') {
        await db.socialTaskCompletion.update({ where: { id: completionId }, data: { notificationError: channel.reason } });
        return { notificationStatus: claim.notificationStatus, held: true, detail: channel.reason };
      }
      if (channel.kind === 'none' && claim.notificationStatus !== 'SENDING') {
        return { notificationStatus: await finish(completionId, 'FAILED', channel.reason) };
      }
      const transmit = channel.kind === 'none' ? undefined : prepareSend(channel, claim);

      const stamped = await db.socialTaskCompletion.updateMany({
        where: { id: completionId, status: 'VERIFIED', notificationAttemptedAt: null, notificationStatus: { in: ['PENDING', 'WAITING_FOR_WINDOW'] } },
        data: { notificationStatus: 'SENDING', notificationAttemptedAt: new Date() },
      });
      if (stamped.count === 0 || !transmit) {
        const current = await db.socialTaskCompletion.findUniqueOrThrow({ where: { id: completionId } });
        if (current.notificationStatus === 'SENDING') {
          const status = await finish(completionId, 'UNKNOWN', 'an earlier send attempt ended without recording its outcome; not resent to avoid a duplicate');
          logger.warn({ completionId }, 'notification outcome unknown after an interrupted attempt');
          return { notificationStatus: status };
        }
        return { notificationStatus: current.notificationStatus };
      }

      const release = (data: { notificationError?: string | null } = {}) =>
        db.socialTaskCompletion.update({ where: { id: completionId }, data: { notificationStatus: 'PENDING', notificationAttemptedAt: null, ...data } });

      try {
        const { channelName, providerMessageId } = await transmit();
        await db.socialTaskCompletion.update({
          where: { id: completionId },
          data: {
            notificationStatus: 'SENT',
            notificationChannel: channelName,
            notificationProviderMessageId: providerMessageId ?? null,
            notificationSentAt: new Date(),
            notificationError: null,
            notificationNotBefore: null,
          },
        });
        // A delivery status may have arrived before we recorded the message id.
        if (providerMessageId) await applyPendingMessageStatuses(db, providerMessageId);
        const current = await db.socialTaskCompletion.findUniqueOrThrow({ where: { id: completionId }, select: { notificationStatus: true } });
        return { notificationStatus: current.notificationStatus };
      } catch (error) {
        if (!(error instanceof OutboundError)) throw error; // the stamp stays: a retry records UNKNOWN
        const reason = `${channelLabel(channel)}: ${error.message}`;
        switch (error.kind) {
          case 'ambiguous':
            return { notificationStatus: await finish(completionId, 'UNKNOWN', `${reason} (it may have been delivered; not resent)`) };
          case 'permanent':
            return { notificationStatus: await finish(completionId, 'FAILED', reason) };
          case 'auth':
            if (channel.kind === 'cloud') {
              tokens.forget(channel.sealedToken);
              await db.whatsappAccount.updateMany({
                where: { id: channel.accountId, status: 'ACTIVE' },
                data: { status: 'NEEDS_REAUTH', statusReason: `token rejected while sending: ${error.message}` },
              });
            }
            await release({ notificationError: reason });
            return { notificationStatus: 'PENDING', held: true, detail: reason };
          default:
            // Nothing was sent (rate limit, provider unavailable): release and let Temporal retry.
            await release({ notificationError: reason });
            throw toActivityFailure(error, 'WhatsApp send');
        }
      }
    },

    /** The send could not be completed within its retry budget. */
    async markNotificationFailed(input: { completionId: string; reason: string }): Promise<string> {
      const current = await db.socialTaskCompletion.findUniqueOrThrow({ where: { id: input.completionId } });
      if (FINAL.has(current.notificationStatus)) return current.notificationStatus;
      return finish(input.completionId, current.notificationStatus === 'SENDING' ? 'UNKNOWN' : 'FAILED', input.reason);
    },
  };

  /** Builds the request (decrypting what it needs) and returns the one call that sends it. */
  function prepareSend(
    channel: Exclude<ChannelChoice, { kind: 'hold' } | { kind: 'none' }>,
    claim: Awaited<ReturnType<typeof loadClaim>>,
  ): () => Promise<{ channelName: 'WHATSAPP_CLOUD' | 'TENANT_PROVIDER' | 'PLATFORM_PROVIDER'; providerMessageId: string | undefined }> {
    const content = {
      userName: claim.user.name,
      taskTitle: claim.task.title,
      spins: claim.spinsAwarded,
      campaignUrl: campaignLink(config.publicAppUrl, claim.campaignId),
    };
    const text = composeNotificationText(content);
    const timeoutMs = config.outboundHttpTimeoutMs;

    if (channel.kind === 'cloud') {
      const template = claim.campaign.notificationTemplateName;
      const sessionOpen = claim.user.lastInboundAt !== null && Date.now() - claim.user.lastInboundAt.getTime() < SESSION_WINDOW_MS;
      const message =
        template && !sessionOpen
          ? { type: 'template' as const, name: template, language: claim.campaign.notificationTemplateLanguage ?? 'en', bodyParameters: templateBodyParameters(content) }
          : { type: 'text' as const, body: text };
      const token = tokens.open(channel.sealedToken);
      return async () => {
        const sent = await sendCloudMessage(graph, { phoneNumberId: channel.phoneNumberId, token, to: claim.user.phone, message, bizOpaqueCallbackData: claim.id });
        return { channelName: 'WHATSAPP_CLOUD', providerMessageId: sent.messageId };
      };
    }
    if (channel.kind === 'tenant_provider') {
      return async () => {
        const sent = await sendViaTenantProvider(channel.config, { number: claim.user.phone, message: text }, {
          timeoutMs,
          allowPrivateNetworks: config.outboundAllowPrivateNetworks,
        });
        return { channelName: 'TENANT_PROVIDER', providerMessageId: sent.providerMessageId };
      };
    }
    return async () => {
      const sent = await sendViaPlatformProvider(
        { apiUrl: channel.apiUrl, apiKey: channel.apiKey, instanceId: channel.instanceId },
        { number: claim.user.phone, message: text },
        { timeoutMs },
      );
      return { channelName: 'PLATFORM_PROVIDER', providerMessageId: sent.providerMessageId };
    };
  }
}

function channelLabel(channel: ChannelChoice): string {
  switch (channel.kind) {
    case 'cloud':
      return 'WhatsApp Cloud API';
    case 'tenant_provider':
      return "tenant's WhatsApp provider";
    case 'platform_provider':
      return "platform's WhatsApp provider";
    default:
      return 'WhatsApp';
  }
}
