// Business counters, called by the code that writes each change, right after the write took
// effect (a conditional update that matched, a transaction that committed), so a retry or a
// replay that finds the work done counts nothing and no observer has to read rows to find out.
import { isNotificationSent } from '../domain/statuses.js';
import { boundedLabel, metrics } from './metrics.js';

/** A claim's verification was recorded (the PENDING → VERIFIED/FAILED update matched). */
export function countClaimDecided(status: 'VERIFIED' | 'FAILED', method: string | null | undefined): void {
  metrics.claimsDecided.inc({ status, method: method ?? 'NONE' });
}

/** A notification reached a final status; any sent status (SENT, DELIVERED, READ) counts as SENT. */
export function countNotificationOutcome(status: string, channel: string | null | undefined): void {
  metrics.notifications.inc({ channel: channel ?? 'NONE', status: isNotificationSent(status) ? 'SENT' : status });
}

/** A notification was held (its channel needs reconnecting): counted each time. */
export function countNotificationHeld(): void {
  metrics.notifications.inc({ channel: 'NONE', status: 'HELD' });
}

/** One run of the WhatsApp token refresh ended: its result, or 'error' when it threw. */
export function countTokenRefresh(result: string): void {
  metrics.tokenRefreshes.inc({ result });
}

/** The items of applied webhook changes; fields outside `knownFields` are labelled 'other'. */
export function countWebhookItems(
  changes: readonly { field?: string; items?: readonly { kind?: string; outcome?: string }[] }[],
  knownFields: ReadonlySet<string>,
): void {
  for (const change of changes) {
    for (const item of change.items ?? []) {
      metrics.webhookItems.inc({ field: boundedLabel(change.field, knownFields), kind: item.kind ?? 'other', outcome: item.outcome ?? 'other' });
    }
  }
}
