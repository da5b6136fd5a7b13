// What to do now with a verified claim's notification, decided from the campaign as it is now:
// done (skipped, failed, or already decided), hold (the channel needs an operator), wait (until the
// campaign's window opens or one of WhatsApp's rules lets it go), or send.
import type { NotificationPlan } from '../../activities/claim-types.js';
import { nextWindowOpening, resolveTimeZone } from '../domain/notification-window.js';
import { isNotificationFinal, NOTIFICATION_AHEAD } from '../domain/statuses.js';
import { countNotificationHeld } from '../observability/business-metrics.js';
import { channelFairnessKey, chooseChannel } from './channel-choice.js';
import { loadNotificationClaim, skipWithoutConsent } from './notification-claim.js';
import type { NotificationContext } from './notification-context.js';
import { waitForWhatsappRules } from './whatsapp-rules.js';

export interface PlanNotificationInput {
  readonly claimId: string;
  /** The workflow's clock, so the decision is recorded in history and replays identically. */
  readonly now: string;
  /** notify-now: an operator's explicit decision to send outside the window and past the maximum delay */
  readonly ignoreWindow: boolean;
  readonly maxDelayMs: number;
}

export async function planNotification(context: NotificationContext, input: PlanNotificationInput): Promise<NotificationPlan> {
  const { db, outcomes } = context;
  const finish = (claimId: string, notificationStatus: 'SKIPPED' | 'FAILED', error: string) =>
    outcomes.finishWhileAhead(claimId, notificationStatus, error);
  const claim = await loadNotificationClaim(db, input.claimId);
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
  const withoutConsent = await skipWithoutConsent(outcomes, claim);
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
  const channel = await chooseChannel(context, claim);
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
    (await waitForWhatsappRules(context, claim, channel)) ?? { action: 'send', notificationStatus: claim.notificationStatus, channelKey };
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
      notificationStatus: await finish(claim.id, 'SKIPPED', `the notification window opens too long after verification (${opensAt.toISOString()})`),
    };
  }
  if (campaign.endsAt && campaign.endsAt <= opensAt) {
    return { action: 'done', notificationStatus: await finish(claim.id, 'SKIPPED', 'the campaign ends before the notification window opens') };
  }
  await db.claim.updateMany({
    where: { id: claim.id, notificationStatus: { in: [...NOTIFICATION_AHEAD] } },
    data: { notificationStatus: 'WAITING_FOR_WINDOW', notificationNotBefore: opensAt, notificationError: null, notificationReason: null },
  });
  return { action: 'wait', notificationStatus: 'WAITING_FOR_WINDOW', notBefore: opensAt.toISOString() };
}
