// Subscribes a tenant's (or the platform's) Meta credentials to the webhook fields the comment
// index needs, after a credentials write, without holding the HTTP request: the activity calls
// Meta and records the outcome on the owner's MetaWebhookSubscription row (shown in the settings
// view). Meta unavailable or throttling: retried with backoff for up to a day, the row saying
// "retrying" meanwhile; then, or at once for a refusal (missing permission, wrong token), FAILED
// with the reason until the tenant fixes its credentials or asks again.
import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import { webhookSubscriptionActivities } from './activity-stubs.js';
import type { SubscribeWebhooksInput } from './webhook-subscription-definitions.js';

export async function subscribeMetaWebhooks(input: SubscribeWebhooksInput): Promise<void> {
  try {
    await webhookSubscriptionActivities.subscribeOwnerWebhooks(input);
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error;
    const cause = error.cause;
    const reason = cause instanceof ApplicationFailure || cause instanceof Error ? cause.message : 'Meta could not be reached';
    await webhookSubscriptionActivities.recordWebhookSubscriptionGaveUp(input, reason);
  }
}
