// The notification status vocabulary and the sets the workflow, the activities and the API share.
// Pure (the workflow sandbox imports it); src/db/enum-checks.ts keeps it equal to the Prisma enum.

export const NOTIFICATION_STATUSES = [
  'PENDING',
  'WAITING_FOR_WINDOW',
  'SENDING',
  'SENT',
  'DELIVERED',
  'READ',
  'FAILED',
  'SKIPPED',
  'UNKNOWN',
  // Carried by another notification's message (one message per end user at a time); see
  // `coalescedInto` on the claim. Final: the other notification's status is its outcome.
  'COALESCED',
] as const;

export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

/** Not sent yet and nothing in flight: a send may still be attempted. */
export const NOTIFICATION_AHEAD: readonly NotificationStatus[] = ['PENDING', 'WAITING_FOR_WINDOW'];

/** Decided for good: nothing more will be attempted. */
export const NOTIFICATION_FINAL: readonly NotificationStatus[] = ['SENT', 'DELIVERED', 'READ', 'FAILED', 'SKIPPED', 'UNKNOWN', 'COALESCED'];

/** Accepted by the provider (SENT), and maybe further (Meta's delivery statuses only move forward). */
export const NOTIFICATION_SENT: readonly NotificationStatus[] = ['SENT', 'DELIVERED', 'READ'];

export const isNotificationAhead = (status: string): boolean => (NOTIFICATION_AHEAD as readonly string[]).includes(status);
export const isNotificationFinal = (status: string): boolean => (NOTIFICATION_FINAL as readonly string[]).includes(status);
export const isNotificationSent = (status: string): boolean => (NOTIFICATION_SENT as readonly string[]).includes(status);
