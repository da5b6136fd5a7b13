// What a failed transmission means for the notification. Only an answer that proves nothing went
// out releases the stamp (to retry, or to wait for one of WhatsApp's rules); anything else keeps it,
// and the notification becomes UNKNOWN or FAILED, never sent twice.
import type { SendOutcome } from '../../activities/claim-types.js';
import { unreachable } from '../domain/statuses.js';
import { OutboundError } from '../integrations/outbound-error.js';
import { countNotificationHeld } from '../observability/business-metrics.js';
import { toActivityFailure } from '../worker/activity-failures.js';
import { channelLabel, channelName, type SendableChannel } from './channel-choice.js';
import { recordOptOut } from './consent.js';
import { metaSendRule } from './meta-send-answers.js';
import type { NotificationClaim } from './notification-claim.js';
import type { NotificationContext } from './notification-context.js';
import type { SendAttempt } from './outcomes.js';
import { pauseSending } from './sending-circuit-breaker.js';
import { MARKETING_MAX_RETRIES, MARKETING_RETRY_MS, TEMPLATE_RECHECK_MS } from './whatsapp-rules.js';

/**
 * Meta's refusals that say more than "this message failed" (meta-send-answers.ts): the answer
 * proves nothing went out, so the notification may wait instead of failing. Null: not one of them.
 */
export async function applyMetaRule(
  context: NotificationContext,
  attempt: SendAttempt,
  channel: SendableChannel,
  error: OutboundError,
  claim: NotificationClaim,
): Promise<SendOutcome | null> {
  const { db, logger, config, outcomes } = context;
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
        where: { id: account.id, sendingProbeClaimId: claim.id },
        data: { sendingProbeClaimId: null },
      });
      const detail = `${channelLabel(channel)}: ${error.message}`;
      const notBefore = new Date(Date.now() + config.whatsappPauseProbeIntervalMs);
      const released = await outcomes.releaseToWait(attempt, { reason: 'SENDING_PAUSED', error: detail, notBefore });
      return { notificationStatus: released ? 'WAITING_FOR_WINDOW' : await outcomes.currentStatus(attempt.claimId), held: released, detail };
    }
    case 'marketing_limit': {
      // WhatsApp's per-user marketing cap: not before 24 h (sooner fails again), at most 3 retries
      // inside the maximum delay, then FAILED. Meta's answer proves nothing went out.
      const detail = `${channelLabel(channel)}: ${error.message}`;
      const retries = claim.notificationMarketingRetries + 1;
      const notBefore = new Date(Date.now() + MARKETING_RETRY_MS);
      const deadline = (claim.verifiedAt ?? new Date()).getTime() + config.notificationMaxDelayMs;
      await db.claim.updateMany({
        where: { id: claim.id, notificationAttemptId: attempt.attemptId },
        data: { notificationMarketingRetries: retries },
      });
      if (retries > MARKETING_MAX_RETRIES || notBefore.getTime() > deadline) {
        return {
          notificationStatus: await outcomes.failAttemptFor(attempt, 'MARKETING_LIMIT', `${detail} (${retries} times; not retried)`),
        };
      }
      const released = await outcomes.releaseToWait(attempt, { reason: 'MARKETING_LIMIT', error: detail, notBefore });
      return { notificationStatus: released ? 'WAITING_FOR_WINDOW' : await outcomes.currentStatus(attempt.claimId), held: released, detail };
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
      return { notificationStatus: released ? 'WAITING_FOR_WINDOW' : await outcomes.currentStatus(attempt.claimId), held: released, detail };
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
export async function recordFailure(
  context: NotificationContext,
  attempt: SendAttempt,
  channel: SendableChannel,
  error: unknown,
): Promise<SendOutcome> {
  const { db, outcomes, tokens } = context;
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
      if (!released) return { notificationStatus: await outcomes.currentStatus(attempt.claimId) };
      countNotificationHeld();
      return { notificationStatus: 'PENDING', held: true, detail: reason };
    }
    case 'rate_limited':
    case 'transient': {
      // Nothing was sent: release and let Temporal retry, unless a successor already decided.
      if (!(await outcomes.release(attempt, reason))) return { notificationStatus: await outcomes.currentStatus(attempt.claimId) };
      throw toActivityFailure(error, 'WhatsApp send');
    }
    default:
      return unreachable(error.kind);
  }
}
