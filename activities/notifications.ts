// WhatsApp notification of a verified claim: when to send (the campaign's window, WhatsApp's rules)
// and the send itself, which happens at most once. The logic lives in src/notifications; these are
// the activities the claim workflow calls.
import { planNotification, type PlanNotificationInput } from '../src/notifications/plan-notification.js';
import { notificationContext } from '../src/notifications/notification-context.js';
import { markNotificationFailed, sendNotification } from '../src/notifications/send-attempt.js';
import { whileHeartbeating } from '../src/worker/heartbeat.js';
import type { NotificationPlan, SendOutcome } from './claim-types.js';
import type { ActivityDeps } from './deps.js';
import type { NotificationStatus } from '../src/domain/statuses.js';

export function createNotificationActivities(
  deps: Pick<ActivityDeps, 'config' | 'db' | 'secrets' | 'logger' | 'graph'> & Partial<Pick<ActivityDeps, 'temporal'>>,
) {
  const context = notificationContext(deps);
  return {
    /**
     * Decides what to do now, from the campaign as it is now. `now` is the workflow's clock, so
     * the decision is recorded in history and replays identically.
     */
    planNotification: (input: PlanNotificationInput): Promise<NotificationPlan> => planNotification(context, input),

    /**
     * Sends the notification at most once. Heartbeats for the whole attempt: a worker that dies
     * mid-send is noticed in seconds, not after the 2-minute timeout (fewer UNKNOWNs); a slow
     * database or provider is not mistaken for one.
     */
    sendNotification: (input: { claimId: string }): Promise<SendOutcome> => whileHeartbeating(() => sendNotification(context, input)),

    /** The send could not be completed within its retry budget. */
    markNotificationFailed: (input: { claimId: string; reason: string }): Promise<NotificationStatus> => markNotificationFailed(context, input),
  };
}
