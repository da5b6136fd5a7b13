// The send task queue: WhatsApp sends only, paced by Temporal. Each send carries its channel's
// fairness key (workflows/activity-stubs.ts: pacedSendActivities), and the queue's per-key rate
// limit (fairness_keys_rate_limit_default = WHATSAPP_SEND_RATE) keeps each business number at
// WhatsApp's own pace (80 msg/s by default) while fairness shares dispatch between channels, so a
// big tenant's backlog never delays another tenant's message. 130429 / 429 answers stay handled by
// the send activity as a safety net. Needs a server with fairness on (matching.enableFairness).
import type { Client } from '@temporalio/client';
import { type NativeConnection, Worker } from '@temporalio/worker';
import type { ActivityDeps } from '../../activities/deps.js';
import { createNotificationActivities } from '../../activities/notifications.js';
import type { AppConfig } from '../config.js';
import type { Logger } from '../logger.js';
import { workerInterceptors } from '../observability/temporal-interceptors.js';
import { WORKER_SLOTS } from './worker-slots.js';

/** temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY (the proto package is a dev dependency). */
const TASK_QUEUE_TYPE_ACTIVITY = 2;

/**
 * Sets the send queue's per-channel rate (idempotent: every worker start sets the same value).
 * A server without the API or without fairness keeps working unpaced (the 130429 / 429 retries
 * remain), so a failure is logged, not fatal.
 */
export async function configureSendQueue(temporal: Client, config: AppConfig, logger: Logger): Promise<boolean> {
  try {
    await temporal.workflowService.updateTaskQueueConfig({
      namespace: config.temporal.namespace,
      identity: 'social-tasks-worker',
      taskQueue: config.temporal.sendTaskQueue,
      taskQueueType: TASK_QUEUE_TYPE_ACTIVITY,
      updateFairnessKeyRateLimitDefault: {
        rateLimit: { requestsPerSecond: config.whatsappSendRate },
        reason: `WHATSAPP_SEND_RATE: ${config.whatsappSendRate} messages/s per sending channel`,
      },
    });
    return true;
  } catch (error) {
    logger.warn({ err: error, taskQueue: config.temporal.sendTaskQueue }, 'could not set the send queue rate limit; sends are not paced by Temporal');
    return false;
  }
}

/** A worker for the send queue: the send activity only (workflows and other activities run on the main queue). */
export async function createSendWorker(options: { connection: NativeConnection; deps: ActivityDeps }): Promise<Worker> {
  const { config } = options.deps;
  const { sendNotification } = createNotificationActivities(options.deps);
  return Worker.create({
    connection: options.connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.sendTaskQueue,
    activities: { sendNotification },
    // Activity interceptors only: this worker runs no workflows.
    interceptors: { activity: workerInterceptors(options.deps).activity ?? [] },
    shutdownGraceTime: '30s',
    maxConcurrentActivityTaskExecutions: WORKER_SLOTS.sendActivities,
  });
}
