// Meta's promotion rules at task create/PATCH (src/domain/promotion-policy.ts): a prohibited
// action is refused with the rule named; a risky one is stored with a POLICY_RISK warning.
import { promotionPolicy } from '../../domain/promotion-policy.js';
import { AppError } from '../../http/errors.js';

export interface PolicyWarning {
  readonly code: 'POLICY_RISK';
  readonly message: string;
  /** Task warnings name a fallback strategy; a policy warning has none */
  readonly fallback: null;
}

export function checkPromotionPolicy(task: { platform: string; actionType: string }): PolicyWarning[] {
  const policy = promotionPolicy(task);
  switch (policy.verdict) {
    case 'PROHIBITED':
      throw new AppError('POLICY_PROHIBITED', policy.rule ?? 'Meta does not allow rewarding this action', {
        fields: ['platform', 'actionType'],
        platform: task.platform,
        actionType: task.actionType,
      });
    case 'RISK':
      return [{ code: 'POLICY_RISK', message: policy.rule ?? 'Meta may not allow rewarding this action', fallback: null }];
    default:
      return [];
  }
}
