import { promotionPolicy } from '../../domain/promotion-policy.js';
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
    requireProofCode: task.requireProofCode,
    /** Meta's promotion rules on rewarding this action: ALLOWED, RISK or PROHIBITED (claims still complete) */
    policy: promotionPolicy(task).verdict,
    policyRule: promotionPolicy(task).rule,
    createdAt: task.createdAt.toISOString(),
    updatedAt: task.updatedAt.toISOString(),
  };
}

/**
 * What an end user's campaign site may show: no verification or fallback strategy (nor the
 * sampling rate that would reveal one), so nobody learns which tasks are not really checked.
 */
export function toEndUserTaskView(task: SocialMediaTask) {
  const {
    verificationStrategy: _strategy,
    fallbackStrategy: _fallback,
    statisticalApprovalRate: _rate,
    policy: _policy,
    policyRule: _policyRule,
    ...visible
  } = toTaskView(task);
  return visible;
}
