// Compile-time checks that the domain's status vocabularies equal the database enums. Nothing
// runs here: `tsc` fails when a value is added to one side only.
import type { NotificationStatus as DbNotificationStatus } from '../generated/prisma/enums.js';
import type { NotificationStatus } from '../domain/notification-status.js';

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;

export const notificationStatusMatches: Same<NotificationStatus, DbNotificationStatus> = true;
