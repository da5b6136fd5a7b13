// A claim's story in words and times: what happened, and what happens next. Pure: built from the
// claim row, its delivery statuses and the workflow's live state (claimState query), so it
// can be tested without a server.
//
// Two audiences. Tenant admins see everything that explains a delay (evidence, provider error
// texts, channel and message id). The end user sees the same events in plain words without any
// provider or Meta text, evidence, or message ids, and never how the task was checked: where the
// claim is decided, or waits for a decision, they read the same public sentence as in their claim
// view (src/domain/claim-reason.ts).
import type { ClaimState } from '../../../workflows/definitions.js';
import { publicReason, publicSentence } from '../../domain/claim-reason.js';
import type { ClaimStatus } from '../../domain/statuses.js';

export type Audience = 'tenant_admin' | 'end_user';

export interface TimelineEvent {
  readonly at: string | null;
  readonly kind: string;
  readonly text: string;
  readonly [extra: string]: unknown;
}

export interface Timeline {
  readonly events: TimelineEvent[];
  readonly next: { at: string | null; kind: string; text: string } | null;
}

export interface TimelineFacts {
  readonly claim: {
    readonly claimedAt: Date;
    readonly status: ClaimStatus;
    /** Short code of why (claim-reason.ts) */
    readonly reason?: string | null;
    readonly detail: string | null;
    readonly verifiedAt: Date | null;
    readonly verificationMethod: string | null;
    readonly evidence: unknown;
    readonly spinsAwarded: number;
    readonly updatedAt: Date;
    readonly notificationStatus: string;
    readonly notificationNotBefore: Date | null;
    readonly notificationSentAt: Date | null;
    readonly notificationChannel: string | null;
    readonly notificationProviderMessageId: string | null;
    readonly notificationError: string | null;
    readonly notificationAttemptedAt: Date | null;
  };
  /** When the spins were credited (the ledger row), if they were */
  readonly creditedAt: Date | null;
  /** The campaign's notification window and the zone it is read in */
  readonly window: { readonly startHour: number; readonly endHour: number; readonly timeZone: string; readonly enabled: boolean };
  /** Delivery statuses Meta reported for the message (delivered, read, failed) */
  readonly deliveries: readonly { status: string; occurredAt: Date; errorCode: number | null; errorTitle: string | null }[];
  /** The notification's send attempts, oldest first (src/notifications/send-attempts.ts); tenant admins only */
  readonly attempts: readonly { id: string; startedAt: Date; endedAt: Date | null; outcome: string | null; detail: string | null }[];
  /** The workflow's live state; undefined when it is finished or could not be asked */
  readonly live: ClaimState | undefined;
  /** Since when the notification is held, from the workflow history, when known */
  readonly heldSince: Date | null;
  /** CLAIM_VERIFY_DELAY, to estimate the verification time when the workflow cannot be asked */
  readonly verifyDelayMs: number;
}

const iso = (date: Date | null | undefined) => date?.toISOString() ?? null;

const METHOD_WORDS: Record<string, string> = {
  TENANT_META_API: "the tenant's Meta account",
  PLATFORM_META_API: "the platform's Meta account",
  HONOR_SYSTEM: 'the honor system',
  STATISTICAL: 'statistical sampling',
  MANUAL: 'manual review',
};

const CHANNEL_WORDS: Record<string, string> = {
  WHATSAPP_CLOUD: "the tenant's WhatsApp Business account (Cloud API)",
  TENANT_PROVIDER: "the tenant's WhatsApp provider",
  PLATFORM_PROVIDER: "the platform's WhatsApp provider",
};

export function buildTimeline(facts: TimelineFacts, audience: Audience): Timeline {
  const admin = audience === 'tenant_admin';
  const { claim } = facts;
  const events: TimelineEvent[] = [{ at: iso(claim.claimedAt), kind: 'claimed', text: 'Claimed.' }];

  if (claim.status === 'VERIFIED') {
    const how = claim.verificationMethod ? ` by ${METHOD_WORDS[claim.verificationMethod] ?? claim.verificationMethod}` : '';
    events.push({
      at: iso(claim.verifiedAt),
      kind: 'verified',
      text: admin ? `Verified${how}.` : publicSentence(publicReason(claim.reason, claim.status)),
      ...(admin ? { method: claim.verificationMethod, evidence: claim.evidence ?? null, detail: claim.detail } : {}),
    });
    if (facts.creditedAt) {
      events.push({ at: iso(facts.creditedAt), kind: 'credited', text: `${claim.spinsAwarded} spins credited.`, spins: claim.spinsAwarded });
    }
  } else if (claim.status === 'FAILED') {
    events.push({
      at: iso(claim.verifiedAt ?? claim.updatedAt),
      kind: 'failed',
      text: admin ? `Not verified: ${claim.detail ?? 'no reason recorded'}.` : publicSentence(publicReason(claim.reason, claim.status)),
      ...(admin ? { method: claim.verificationMethod } : {}),
    });
  }

  if (claim.status === 'VERIFIED') events.push(...notificationEvents(facts, admin));
  return { events, next: nextStep(facts, admin) };
}

function notificationEvents(facts: TimelineFacts, admin: boolean): TimelineEvent[] {
  const { claim, live } = facts;
  const events: TimelineEvent[] = [];
  const held = live?.phase === 'HELD';
  if (held) {
    events.push({
      at: iso(facts.heldSince),
      kind: 'held',
      text: admin ? `Notification held: ${live?.detail ?? claim.notificationError ?? 'no reason recorded'}.` : 'Your notification is delayed.',
    });
  }
  if (admin) events.push(...facts.attempts.map(attemptEvent));
  switch (claim.notificationStatus) {
    case 'SENDING':
      events.push({ at: iso(claim.notificationAttemptedAt), kind: 'sending', text: 'Sending the notification.' });
      break;
    case 'SENT':
    case 'DELIVERED':
    case 'READ':
      events.push(sentEvent(claim, admin));
      for (const delivery of [...facts.deliveries].sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime())) {
        events.push(deliveryEvent(delivery, admin));
      }
      break;
    case 'UNKNOWN':
      events.push({
        at: iso(claim.notificationAttemptedAt),
        kind: 'send_unknown',
        text: admin
          ? `Sending ended without a clear answer; it may have reached the user and was not resent to avoid a duplicate: ${claim.notificationError ?? 'no detail'}.`
          : 'Your notification may not have arrived.',
      });
      break;
    case 'FAILED':
      events.push({
        at: iso(claim.updatedAt),
        kind: 'notification_failed',
        text: admin
          ? `The notification could not be sent: ${claim.notificationError ?? 'no reason recorded'}.`
          : 'Your notification could not be sent.',
      });
      break;
    case 'SKIPPED':
      events.push({
        at: iso(claim.updatedAt),
        kind: 'notification_skipped',
        text: admin ? `No notification: ${claim.notificationError ?? 'skipped'}.` : 'No notification will be sent for this task.',
      });
      break;
    default:
      if (!held && claim.notificationStatus !== 'PENDING' && claim.notificationStatus !== 'WAITING_FOR_WINDOW') {
        events.push({ at: iso(claim.updatedAt), kind: 'notification', text: `Notification ${claim.notificationStatus.toLowerCase()}.` });
      }
  }
  return events;
}

const ATTEMPT_ENDINGS: Record<string, string> = {
  SENT: 'the provider took the message',
  FAILED: 'the provider refused it',
  UNKNOWN: 'no clear answer; it may have gone out, so it was not resent',
  RELEASED: 'nothing went out; retried',
  INTERRUPTED: 'it ended without recording its outcome (the worker stopped or timed out); it may have gone out, so it was not resent',
};

/** One send attempt (tenant admins): its id, when it started, how it ended. */
function attemptEvent(attempt: TimelineFacts['attempts'][number]): TimelineEvent {
  const ending = attempt.outcome ? (ATTEMPT_ENDINGS[attempt.outcome] ?? attempt.outcome.toLowerCase()) : 'still in flight';
  return {
    at: iso(attempt.startedAt),
    kind: 'send_attempt',
    text: `Send attempt ${attempt.id}: ${ending}${attempt.detail ? ` (${attempt.detail})` : ''}.`,
    attemptId: attempt.id,
    endedAt: iso(attempt.endedAt),
    outcome: attempt.outcome,
  };
}

function sentEvent(claim: TimelineFacts['claim'], admin: boolean): TimelineEvent {
  if (!admin) return { at: iso(claim.notificationSentAt), kind: 'sent', text: 'Notification sent on WhatsApp.' };
  const channel = claim.notificationChannel ? (CHANNEL_WORDS[claim.notificationChannel] ?? claim.notificationChannel) : 'WhatsApp';
  const id = claim.notificationProviderMessageId;
  return {
    at: iso(claim.notificationSentAt),
    kind: 'sent',
    text: `Sent through ${channel}${id ? ` (message id ${id})` : ''}.`,
    channel: claim.notificationChannel,
    providerMessageId: id,
  };
}

function deliveryEvent(delivery: TimelineFacts['deliveries'][number], admin: boolean): TimelineEvent {
  const at = iso(delivery.occurredAt);
  switch (delivery.status) {
    case 'delivered':
      return { at, kind: 'delivered', text: 'Delivered to the phone.' };
    case 'read':
      return { at, kind: 'read', text: 'Read.' };
    case 'failed':
      return {
        at,
        kind: 'delivery_failed',
        text: admin
          ? `WhatsApp reported it undeliverable${delivery.errorCode ? ` (code ${delivery.errorCode}${delivery.errorTitle ? `: ${delivery.errorTitle}` : ''})` : ''}.`
          : 'The message could not be delivered.',
      };
    default:
      return { at, kind: delivery.status, text: `WhatsApp reported "${delivery.status}".` };
  }
}

function nextStep(facts: TimelineFacts, admin: boolean): Timeline['next'] {
  const { claim, live } = facts;
  if (claim.status === 'PENDING') {
    switch (live?.phase) {
      case 'AWAITING_MANUAL_REVIEW':
        // The end user's claim view says "checking" here too: a review is a way of checking.
        return {
          at: null,
          kind: admin ? 'manual_review' : 'verify',
          text: admin ? 'Waiting for a tenant admin to approve or reject it.' : publicSentence('CHECKING'),
        };
      case 'WAITING_FOR_CREDENTIALS':
        return {
          at: null,
          kind: 'verify_retry',
          text: admin
            ? `Verification retries when the Meta credentials work again: ${live.detail ?? claim.detail ?? ''}`.trim()
            : publicSentence('CHECKING'),
        };
      case 'VERIFYING':
        return { at: null, kind: 'verify', text: 'Verifying now.' };
      default: {
        // Asked live when possible; otherwise estimated from the claim time and CLAIM_VERIFY_DELAY.
        const at = live?.verifyAt ?? iso(new Date(claim.claimedAt.getTime() + facts.verifyDelayMs));
        return { at, kind: 'verify', text: `Waiting until ${at} to verify.` };
      }
    }
  }
  if (claim.status !== 'VERIFIED') return null;
  if (live?.phase === 'HELD') {
    return {
      at: null,
      kind: 'held',
      text: admin
        ? 'Sends once the WhatsApp channel can be used again (reconnect the account, or use notify-now).'
        : 'Your notification will be sent as soon as possible.',
    };
  }
  const notBefore = live?.notBefore ?? iso(claim.notificationNotBefore);
  if (claim.notificationStatus === 'WAITING_FOR_WINDOW' && notBefore) {
    const { window } = facts;
    return {
      at: notBefore,
      kind: 'notify',
      text: admin
        ? `Waiting for the notification window (${windowWords(window)}, ${window.timeZone}) until ${notBefore}.`
        : `You will be notified after ${notBefore}.`,
    };
  }
  if (claim.notificationStatus === 'PENDING' || claim.notificationStatus === 'SENDING') {
    return { at: null, kind: 'notify', text: 'Sending the notification now.' };
  }
  return null;
}

function windowWords(window: TimelineFacts['window']): string {
  const hh = (hour: number) => `${String(hour).padStart(2, '0')}:00`;
  if (window.startHour === window.endHour) return 'always open';
  return `${hh(window.startHour)}–${hh(window.endHour)}`;
}
