import type { SocialMediaTask } from '../../generated/prisma/client.js';

export function toTaskView(task: SocialMediaTask) {
  return {
    id: task.id,
    campaignId: task.campaignId,
    title: task.title,
    platform: task.platform,
    actionType: task.actionType,
    targetId: task.targetId,
    targetUrl: task.targetUrl,
    spinsReward: task.spinsReward,
    verificationStrategy: task.verificationStrategy,
    fallbackStrategy: task.fallbackStrategy,
    statisticalApprovalRate: task.statisticalApprovalRate,
    createdAt: task.createdAt.toISOString(),
    updatedAt: task.updatedAt.toISOString(),
  };
}
