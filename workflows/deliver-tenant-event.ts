// Delivers one tenant event (workflow id tenant-event-{eventId}-{round}): one activity whose retry
// policy backs off exponentially (1 s doubling, at most an hour apart) for the retry window (24 h by
// default), then records the event FAILED. Only ids are in this history: never the URL, the
// secret, or anything personal (the body is read and signed inside the activity).
import { ActivityFailure, proxyActivities } from '@temporalio/workflow';
import type { createTenantEventActivities } from '../activities/tenant-events.js';
import type { DeliverTenantEventInput } from './tenant-event-definitions.js';

type TenantEventActivities = ReturnType<typeof createTenantEventActivities>;

export async function deliverTenantEvent(input: DeliverTenantEventInput): Promise<void> {
  const attempts = proxyActivities<TenantEventActivities>({
    startToCloseTimeout: '1m',
    scheduleToCloseTimeout: input.retryWindowMs,
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1h' },
  });
  const bookkeeping = proxyActivities<TenantEventActivities>({
    startToCloseTimeout: '30s',
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
  });
  const { eventId, round } = input;
  try {
    await attempts.deliverTenantEvent({ eventId, round });
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error;
    const last = error.cause?.message ?? error.message;
    await bookkeeping.markTenantEventFailed({ eventId, round, reason: `not delivered within the retry window; last: ${last}` });
  }
}
