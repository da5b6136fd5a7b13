// Activity stubs and their timeouts/retry policies, in one place. Workflows import activity
// *types* only; the implementations live in activities/ and run in the worker.
import { proxyActivities, proxyLocalActivities, type ActivityOptions, type LocalActivityOptions } from '@temporalio/workflow';
import type { createClaimActivities } from '../activities/claims.js';
import type { createCommentIndexActivities } from '../activities/comment-index.js';
import type { createNotificationActivities } from '../activities/notifications.js';
import type { createRetentionActivities } from '../activities/retention.js';
import type { createReplanActivities } from '../activities/replan.js';
import type { createVerificationActivities } from '../activities/verification.js';
import type { createVerificationStepActivities } from '../activities/verification-record-and-plan.js';
import type { createWebhookActivities } from '../activities/webhooks.js';
import type { createWebhookSubscriptionActivities } from '../activities/webhook-subscriptions.js';
import type { createWhatsappTokenActivities } from '../activities/whatsapp-tokens.js';

/**
 * Database-only steps of the claim as local activities: they run in the workflow's worker inside its
 * workflow task and cost one marker event each instead of a scheduled, started and completed
 * activity plus a workflow task. Retries past a minute back off with timers.
 */
const LOCAL_DB_STEP = {
  startToCloseTimeout: '30s',
  scheduleToCloseTimeout: '24h',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', nonRetryableErrorTypes: ['Permanent'] },
} satisfies LocalActivityOptions;
export const claimActivities = proxyLocalActivities<ReturnType<typeof createClaimActivities>>(LOCAL_DB_STEP);
/** Planning and bookkeeping of the notification. */
export const notificationActivities = proxyLocalActivities<Omit<ReturnType<typeof createNotificationActivities>, 'sendNotification'>>(LOCAL_DB_STEP);
export const verificationSteps = proxyLocalActivities<ReturnType<typeof createVerificationStepActivities>>(LOCAL_DB_STEP);

/** Meta calls: transient errors and rate limits retry with backoff (rate limits set their own delay). */
export const verificationActivities = proxyActivities<ReturnType<typeof createVerificationActivities>>({
  startToCloseTimeout: '5m',
  scheduleToCloseTimeout: '24h',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '10m', nonRetryableErrorTypes: ['Permanent'] },
});

/**
 * Sending: a retry only happens when the activity proved nothing was sent (see
 * src/notifications/send-attempt.ts). The send heartbeats every second, so a worker killed mid-send is
 * detected after the heartbeat timeout and the next attempt records UNKNOWN within seconds.
 */
const SEND_OPTIONS = {
  startToCloseTimeout: '2m',
  heartbeatTimeout: '10s',
  scheduleToCloseTimeout: '24h',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '10m', nonRetryableErrorTypes: ['Permanent'] },
} satisfies ActivityOptions;

/**
 * Sends run on the paced send task queue: the server dispatches each channel's sends (one fairness
 * key per channel) at most at the queue's per-key rate (WHATSAPP_SEND_RATE, set by the worker at
 * start, src/worker/send-queue.ts), and fairly between channels, so one tenant's thousands of
 * sends never queue another tenant's one. Chosen when the send is scheduled.
 */
export function sendActivities(taskQueue: string, fairnessKey: string | undefined) {
  return proxyActivities<Pick<ReturnType<typeof createNotificationActivities>, 'sendNotification'>>({
    ...SEND_OPTIONS,
    taskQueue,
    ...(fairnessKey ? { priority: { fairnessKey } } : {}),
  });
}

/**
 * Token refresh: Meta GETs under a row lock. Transient errors retry with backoff; rate limits use
 * Meta's own delay (ApplicationFailure nextRetryDelay, see src/worker/activity-failures.ts). Bounded well
 * inside the default 24h schedule interval, so a stuck run cannot shadow (SKIP) the next ones for long.
 */
export const whatsappTokenActivities = proxyActivities<ReturnType<typeof createWhatsappTokenActivities>>({
  startToCloseTimeout: '3m',
  scheduleToCloseTimeout: '6h',
  retry: { initialInterval: '10s', backoffCoefficient: 2, maximumInterval: '15m', nonRetryableErrorTypes: ['Permanent'] },
});

/**
 * Webhook processing: database steps (and a schedule update on account events), each idempotent,
 * so they retry through a database or Temporal outage, for an hour: a delivery that still fails
 * then (a poison payload, a bug) is recorded as failed for an operator rather than retried every
 * minute forever. A missing event row is 'Permanent'.
 */
export const WEBHOOK_PROCESSING_BUDGET = '1h';
export const webhookActivities = proxyActivities<ReturnType<typeof createWebhookActivities>>({
  startToCloseTimeout: '2m',
  scheduleToCloseTimeout: WEBHOOK_PROCESSING_BUDGET,
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', nonRetryableErrorTypes: ['Permanent'] },
});

/** Recording that processing gave up: retried for a day (it must not be lost to a short outage). */
export const webhookFailureActivities = proxyActivities<Pick<ReturnType<typeof createWebhookActivities>, 'markWebhookFailed'>>({
  startToCloseTimeout: '1m',
  scheduleToCloseTimeout: '24h',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '5m' },
});

/** Retention: batched deletes that heartbeat, so a retry after a crash resumes cheaply. */
export const retentionActivities = proxyActivities<ReturnType<typeof createRetentionActivities>>({
  startToCloseTimeout: '30m',
  heartbeatTimeout: '2m',
  retry: { initialInterval: '10s', backoffCoefficient: 2, maximumInterval: '10m', maximumAttempts: 5 },
});

/**
 * Comment-index crawls: a backfill of a big post pages for minutes (heartbeats each batch). Meta's
 * throttling retries after Meta's own regain time; a few attempts, then the workflow moves on and
 * the claims that wait for it retry (they count failed crawls, see activities/verification.ts).
 */
export const commentIndexActivities = proxyActivities<ReturnType<typeof createCommentIndexActivities>>({
  startToCloseTimeout: '30m',
  heartbeatTimeout: '2m',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '5m', maximumAttempts: 3, nonRetryableErrorTypes: ['Permanent'] },
});

/**
 * Re-plan fan-out: pages through every waiting claim of a campaign or tenant (thousands), with the
 * cursor in its heartbeat, so a retry resumes where the last attempt stopped. Retries while Temporal
 * is unreachable, for a few hours at most: the claims re-plan at their timers meanwhile anyway.
 */
export const replanActivities = proxyActivities<ReturnType<typeof createReplanActivities>>({
  startToCloseTimeout: '15m',
  heartbeatTimeout: '30s',
  scheduleToCloseTimeout: '6h',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 50 },
});

/**
 * Webhook subscription of Meta credentials: Meta down or throttling retries for up to a day
 * (the row says "retrying"); refusals are Permanent and recorded at once.
 */
export const webhookSubscriptionActivities = proxyActivities<ReturnType<typeof createWebhookSubscriptionActivities>>({
  startToCloseTimeout: '2m',
  scheduleToCloseTimeout: '24h',
  retry: { initialInterval: '10s', backoffCoefficient: 2, maximumInterval: '30m', nonRetryableErrorTypes: ['Permanent'] },
});
