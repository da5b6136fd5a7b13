// The send itself, at most once: choose the channel, pass WhatsApp's rules, stamp the attempt,
// transmit, record what happened.
//
// "Never twice": before anything goes out, the attempt stamps the claim with its own attempt id
// (status SENDING, a conditional update). If an attempt dies without recording its outcome (a
// crash, or a timeout after the request left), the next attempt finds the stamp and records
// UNKNOWN for operators instead of sending again. The stamp is released only when we *know*
// nothing was sent (connect failure before the request was written, 429, 503 with Retry-After,
// rejected credentials), so those cases retry safely. Every outcome write names the attempt
// (outcomes.ts), so a late attempt can never overwrite what its successor recorded.
import { ApplicationFailure } from '@temporalio/activity';
import type { SendOutcome } from '../../activities/claim-types.js';
import { FailureType } from '../domain/failure-types.js';
import { isNotificationAhead, isNotificationFinal, isNotificationSent, type NotificationStatus } from '../domain/statuses.js';
import { OutboundError } from '../integrations/outbound-error.js';
import { countNotificationHeld } from '../observability/business-metrics.js';
import { channelSender, chooseChannel, type SendableChannel } from './channel-choice.js';
import { applyPendingMessageStatuses, hasMessageStatuses } from './message-status.js';
import { loadNotificationClaim, type NotificationClaim, skipWithoutConsent } from './notification-claim.js';
import type { NotificationContext } from './notification-context.js';
import { applyMessagePricing } from './notification-pricing.js';
import type { CarriedNotification, SendAttempt, SentMessage } from './outcomes.js';
import { applyMetaRule, recordFailure } from './send-failures.js';
import { prepareSend } from './send-request.js';
import { MessagingLimitReached, messagingLimitSentence, passWhatsappRules, probeSucceeded, type Step } from './whatsapp-rules.js';

/**
 * Sends the notification at most once. Everything that can fail without sending (loading,
 * choosing, decrypting) happens before the stamp, so such failures retry instead of turning
 * into UNKNOWN.
 */
export async function sendNotification(context: NotificationContext, input: { claimId: string }): Promise<SendOutcome> {
  const claim = await loadNotificationClaim(context.db, input.claimId);
  const settled = await alreadySettled(context, claim);
  if (settled) return settled;
  // Consent may have been withdrawn since the plan (a STOP while the send was retried).
  const withoutConsent = await skipWithoutConsent(context.outcomes, claim);
  if (withoutConsent) return { notificationStatus: withoutConsent };
  const chosen = await chooseSendableChannel(context, claim);
  if (chosen.kind === 'outcome') return chosen.outcome;
  const gate = await passWhatsappRules(context, claim, chosen.channel);
  if (gate.kind === 'outcome') return gate.outcome;
  const transmit = prepareSend(context, chosen.channel, claim);
  const attempt = await stampAttempt(context, claim, chosen.channel);
  if (attempt.kind === 'outcome') return attempt.outcome;
  const outcome = await transmitAndRecord(context, attempt.attempt, chosen.channel, () => transmit(attempt.carried), claim, gate.releaseSlot);
  if (gate.probe && chosen.channel.kind === 'cloud' && isNotificationSent(outcome.notificationStatus))
    await probeSucceeded(context, chosen.channel.accountId);
  return outcome;
}

/** The send could not be completed within its retry budget. */
export async function markNotificationFailed(context: NotificationContext, input: { claimId: string; reason: string }): Promise<NotificationStatus> {
  const { outcomes } = context;
  const current = await outcomes.currentStatus(input.claimId);
  if (current === 'SENDING') return outcomes.resolveInterrupted(input.claimId, input.reason);
  if (isNotificationFinal(current)) return current;
  return outcomes.finishWhileAhead(input.claimId, 'FAILED', input.reason);
}

/** Nothing to send: the claim is not verified, or its notification is decided or in flight. */
async function alreadySettled(context: NotificationContext, claim: NotificationClaim): Promise<SendOutcome | null> {
  if (claim.status !== 'VERIFIED') return { notificationStatus: claim.notificationStatus };
  if (claim.notificationStatus === 'SENDING') return { notificationStatus: await context.outcomes.resolveInterrupted(claim.id) };
  if (!isNotificationAhead(claim.notificationStatus)) return { notificationStatus: claim.notificationStatus };
  return null;
}

/** Step 1, choose the channel: a held channel keeps the notification waiting; no channel fails it. */
async function chooseSendableChannel(context: NotificationContext, claim: NotificationClaim): Promise<Step<{ channel: SendableChannel }>> {
  const { outcomes } = context;
  const channel = await chooseChannel(context, claim, { reserve: true });
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
async function stampAttempt(
  context: NotificationContext,
  claim: NotificationClaim,
  channel: SendableChannel,
): Promise<Step<{ attempt: SendAttempt; carried: CarriedNotification[] }>> {
  const { outcomes } = context;
  const claimId = claim.id;
  const stamped = await outcomes.stamp(claimId, {
    tenantId: claim.tenantId,
    userId: claim.userId,
    campaignId: claim.campaignId,
    sender: channelSender(channel, claim.tenantId),
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
  const current = await outcomes.currentStatus(claimId);
  return { kind: 'outcome', outcome: { notificationStatus: current === 'SENDING' ? await outcomes.resolveInterrupted(claimId) : current } };
}

/** Steps 3 and 4, transmit and record: the one outbound call, then its outcome under the stamp. */
async function transmitAndRecord(
  context: NotificationContext,
  attempt: SendAttempt,
  channel: SendableChannel,
  transmit: () => Promise<SentMessage>,
  claim: NotificationClaim,
  releaseSlot?: () => Promise<void>,
): Promise<SendOutcome> {
  const { db, outcomes } = context;
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
        notificationStatus: released ? 'WAITING_FOR_WINDOW' : await outcomes.currentStatus(attempt.claimId),
        held: released,
        detail: error.message,
      };
    }
    // An answer that proves nothing went out gives back the recipient it counted.
    if (releaseSlot && error instanceof OutboundError && error.kind !== 'ambiguous') await releaseSlot();
    const ruled = error instanceof OutboundError ? await applyMetaRule(context, attempt, channel, error, claim) : null;
    return ruled ?? recordFailure(context, attempt, channel, error);
  }
  const status = await outcomes.recordSent(attempt, sent);
  // A delivery status may have arrived before we recorded the message id. Only Meta reports
  // delivery statuses (Cloud API sends); for the providers there is nothing to merge or re-read,
  // nor when Meta has reported nothing for the message yet (the usual case).
  if (status !== 'SENT' || sent.channelName !== 'WHATSAPP_CLOUD' || !sent.providerMessageId) return { notificationStatus: status };
  if (!(await hasMessageStatuses(db, sent.providerMessageId))) return { notificationStatus: status };
  await applyPendingMessageStatuses(db, sent.providerMessageId);
  await applyMessagePricing(db, sent.providerMessageId);
  return { notificationStatus: await outcomes.currentStatus(attempt.claimId) };
}
