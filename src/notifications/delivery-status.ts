// How Meta's delivery statuses move a notification: pure, no I/O (table-tested in
// test/unit/message-status.test.ts).
//
// Meta promises no ordering and retries for days, so the merge is a join: the outcome depends on
// the *set* of statuses seen, never on the order they arrived or how often.
//   - Progress only moves forward: SENT < DELIVERED < READ. A late `sent` never overwrites `read`;
//     `read` without `delivered` is fine (Meta skips `delivered` when both happen at once).
//   - `failed` turns SENT / UNKNOWN / SENDING into FAILED with "code: title".
//   - `failed` next to `delivered`/`read` (multi-device: a device failed, another got it) keeps the
//     higher status and records the error in notificationError, so it stays visible. A later
//     `delivered` therefore also lifts FAILED to DELIVERED: the user did receive the message.
//   - UNKNOWN (our send outcome was ambiguous) is resolved by any status: Meta has the message.
// Statuses we do not track (`played`, anything new) change nothing.
import type { NotificationStatus } from '../generated/prisma/enums.js';

export const TRACKED_STATUSES = ['sent', 'delivered', 'read', 'failed'] as const;
export type TrackedStatus = (typeof TRACKED_STATUSES)[number];

export interface StatusReport {
  readonly status: string;
  readonly errorCode?: number | null;
  readonly errorTitle?: string | null;
}

export interface DeliveryState {
  readonly notificationStatus: NotificationStatus;
  readonly notificationError: string | null;
}

export interface MergedDelivery extends DeliveryState {
  readonly changed: boolean;
}

const PROGRESS: Partial<Record<string, number>> = { sent: 1, delivered: 2, read: 3 };
const CURRENT_PROGRESS: Partial<Record<NotificationStatus, number>> = { SENT: 1, DELIVERED: 2, READ: 3 };
const STATUS_OF_PROGRESS = { 1: 'SENT', 2: 'DELIVERED', 3: 'READ' } as const;

/** Notification states a delivery status can speak about: a message id exists or may exist. */
const RECEPTIVE = new Set<NotificationStatus>(['SENDING', 'SENT', 'DELIVERED', 'READ', 'FAILED', 'UNKNOWN']);

/** "131026: Message undeliverable", as shown in the claim view's notification.error. */
export function describeFailure(report: Pick<StatusReport, 'errorCode' | 'errorTitle'>): string {
  const code = report.errorCode ?? undefined;
  const title = report.errorTitle?.trim() || undefined;
  if (code !== undefined && title) return `${code}: ${title}`;
  if (code !== undefined) return String(code);
  return title ?? 'failed (Meta gave no error details)';
}

/** The notification after every status reported for its message id (in any order, repeats allowed). */
export function mergeDeliveryStatuses(current: DeliveryState, reports: readonly StatusReport[]): MergedDelivery {
  if (!RECEPTIVE.has(current.notificationStatus)) return { ...current, changed: false };

  let progress = CURRENT_PROGRESS[current.notificationStatus] ?? 0;
  let failure: string | undefined;
  for (const report of reports) {
    progress = Math.max(progress, PROGRESS[report.status] ?? 0);
    if (report.status === 'failed') failure ??= describeFailure(report);
  }

  let next: DeliveryState;
  if (progress >= 2) {
    // Delivered or read wins over a failure; the failure stays visible as the error.
    const status = STATUS_OF_PROGRESS[progress as 2 | 3];
    const wasUnresolved = current.notificationStatus === 'UNKNOWN' || current.notificationStatus === 'SENDING';
    next = { notificationStatus: status, notificationError: failure ?? (wasUnresolved ? null : current.notificationError) };
  } else if (failure !== undefined) {
    next = { notificationStatus: 'FAILED', notificationError: failure };
  } else if (current.notificationStatus === 'FAILED') {
    // Only delivered/read lift a failure; a late `sent` does not.
    next = current;
  } else if (progress === 1) {
    const wasUnresolved = current.notificationStatus !== 'SENT';
    next = { notificationStatus: 'SENT', notificationError: wasUnresolved ? null : current.notificationError };
  } else {
    next = current;
  }
  const changed = next.notificationStatus !== current.notificationStatus || next.notificationError !== current.notificationError;
  return { ...next, changed };
}
