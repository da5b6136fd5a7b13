// A sending channel's share of the send queue's per-key rate (src/temporal/send-queue.ts): the
// server limits each fairness key to WHATSAPP_SEND_RATE scaled by the key's weight, so a weight of
// 0.5 halves that number's send rate without touching the workflows that schedule its sends.
import type { Client } from '@temporalio/client';
import type { AppConfig } from '../config.js';
import type { Logger } from '../logger.js';

/** temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY */
const TASK_QUEUE_TYPE_ACTIVITY = 2;

/** Sets (weight) or removes (null) the weight override of one fairness key. False when the server refused. */
export async function setChannelWeight(
  temporal: Client,
  config: AppConfig,
  logger: Logger,
  fairnessKey: string,
  weight: number | null,
): Promise<boolean> {
  try {
    await temporal.workflowService.updateTaskQueueConfig({
      namespace: config.temporal.namespace,
      identity: 'social-tasks-quality',
      taskQueue: config.temporal.sendTaskQueue,
      taskQueueType: TASK_QUEUE_TYPE_ACTIVITY,
      ...(weight === null ? { unsetFairnessWeightOverrides: [fairnessKey] } : { setFairnessWeightOverrides: { [fairnessKey]: weight } }),
    });
    return true;
  } catch (error) {
    logger.warn({ err: error, fairnessKey, weight }, 'could not change the send rate of a WhatsApp number');
    return false;
  }
}
