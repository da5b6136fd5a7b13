// The message a notification sends and the one call that sends it, per channel. Built before the
// stamp (decrypting what it needs), so a failure here retries instead of turning into UNKNOWN;
// called after it, with the notifications the stamp found riding on this message.
import { campaignLink, composeNotificationText, templateBodyParameters } from '../domain/notification-message.js';
import { sendCloudMessage } from '../integrations/meta/whatsapp-business.js';
import { OutboundError } from '../integrations/outbound-error.js';
import { sendViaPlatformProvider, sendViaTenantProvider } from '../integrations/whatsapp/index.js';
import type { SendableChannel } from './channel-choice.js';
import { releaseSlot as releaseLimitSlot, takeSlot } from './messaging-limit-ledger.js';
import { metaSendRule } from './meta-send-answers.js';
import { type NotificationClaim, sessionOpen } from './notification-claim.js';
import type { NotificationContext } from './notification-context.js';
import type { CarriedNotification, SentMessage } from './outcomes.js';
import { templateUsable } from './template-check.js';
import { MessagingLimitReached, messagingBudgetOf } from './whatsapp-rules.js';

/** Sends the notification (with those it carries) once; what went out, or the transmission's error. */
export type Transmit = (carried: readonly CarriedNotification[]) => Promise<SentMessage>;

export function prepareSend(context: NotificationContext, channel: SendableChannel, claim: NotificationClaim): Transmit {
  const { config, db, graph, tokens } = context;
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
        const budget = messagingBudgetOf(claim, channel, { sessionClosedAtMeta: true });
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
