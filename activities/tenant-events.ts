// Delivering tenant events (src/tenant-events): one attempt per activity execution; the workflow's
// retry policy is the backoff. Inputs are ids; the webhook's URL and secret never leave the activity.
import { deliverEvent, markEventFailed } from '../src/tenant-events/deliver-event.js';
import type { ActivityDeps } from './deps.js';

export function createTenantEventActivities(deps: Pick<ActivityDeps, 'config' | 'db' | 'secrets'>) {
  return {
    async deliverTenantEvent(input: { eventId: string; round: number }): Promise<string> {
      return deliverEvent(deps, input);
    },
    /** The retry window ran out: the event stays listed as failed, redeliverable by the tenant. */
    async markTenantEventFailed(input: { eventId: string; round: number; reason: string }): Promise<void> {
      await markEventFailed(deps.db, input);
    },
  };
}
