// The claim as the notification steps read it (campaign, task, end user, the tenant's settings),
// and the checks on it that both planning and sending make.
import type { Database } from '../db/client.js';
import type { NotificationStatus } from '../domain/statuses.js';
import { consentRefusal } from './consent.js';
import type { NotificationOutcomes } from './outcomes.js';

/** WhatsApp's customer-service window: 24 h after the user last wrote to the business. */
export const SESSION_WINDOW_MS = 24 * 60 * 60_000;

export const loadNotificationClaim = (db: Database, claimId: string) =>
  db.claim.findUniqueOrThrow({
    where: { id: claimId },
    include: { campaign: true, task: true, user: true, tenant: { select: { timezone: true, requireWhatsappOptIn: true } } },
  });

export type NotificationClaim = Awaited<ReturnType<typeof loadNotificationClaim>>;

/** The user wrote to the business in the last 24 h: any message may go, and none counts against the messaging limit. */
export const sessionOpen = (claim: { user: { lastInboundAt: Date | null } }) =>
  claim.user.lastInboundAt !== null && Date.now() - claim.user.lastInboundAt.getTime() < SESSION_WINDOW_MS;

/** No consent to message this user: skipped, and the claim stays credited. Null when consent allows the send. */
export async function skipWithoutConsent(outcomes: NotificationOutcomes, claim: NotificationClaim): Promise<NotificationStatus | null> {
  const refusal = consentRefusal(claim.user, claim.tenant);
  if (!refusal) return null;
  const why = refusal === 'OPTED_OUT' ? 'the end user opted out of WhatsApp messages' : 'the end user has not opted in to WhatsApp messages';
  return outcomes.finishWhileAhead(claim.id, 'SKIPPED', why, refusal);
}
