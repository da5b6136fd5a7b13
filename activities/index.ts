// All activities, built from the worker's dependencies.
import { createClaimActivities } from './claims.js';
import { createCommentIndexActivities } from './comment-index.js';
import type { ActivityDeps } from './deps.js';
import { createNotificationActivities } from './notifications.js';
import { createReplanActivities } from './replan.js';
import { createTenantEventActivities } from './tenant-events.js';
import { createRetentionActivities } from './retention.js';
import { createVerificationActivities } from './verification.js';
import { createVerificationStepActivities } from './verification-record-and-plan.js';
import { createWebhookActivities } from './webhooks.js';
import { createWhatsappTokenActivities } from './whatsapp-tokens.js';
import { createWebhookSubscriptionActivities } from './webhook-subscriptions.js';

export function createActivities(deps: ActivityDeps) {
  return {
    ...createClaimActivities(deps),
    ...createVerificationActivities(deps),
    ...createVerificationStepActivities(deps),
    ...createNotificationActivities(deps),
    ...createWebhookActivities(deps),
    ...createCommentIndexActivities(deps),
    ...createWhatsappTokenActivities(deps),
    ...createRetentionActivities(deps),
    ...createReplanActivities(deps),
    ...createWebhookSubscriptionActivities(deps),
    ...createTenantEventActivities(deps),
  };
}
