// Which rewarded actions Meta's rules allow (meta-apis reference, "Promotion policy"). Meta's
// Platform Terms allow incentives only for logging in, entering a promotion on the app's Page or on
// Instagram, checking in, or messaging the business ("don't incentivize other actions"); Facebook's
// Pages policy lets a promotion be entered by commenting on or liking a Page *post*, never by liking
// or following the Page, sharing to a timeline or tagging friends. Instagram does not ban
// follow-to-enter outright, and rewarding shares is named as a violation by Meta's incentive guide.
// Pure.

export const PROMOTION_POLICY_VERDICTS = ['ALLOWED', 'RISK', 'PROHIBITED'] as const;
export type PromotionPolicyVerdict = (typeof PROMOTION_POLICY_VERDICTS)[number];

export interface PromotionPolicy {
  readonly verdict: PromotionPolicyVerdict;
  /** The rule in one sentence; null when the action is allowed */
  readonly rule: string | null;
}

const ALLOWED: PromotionPolicy = { verdict: 'ALLOWED', rule: null };

/** platform and actionType as stored (SocialPlatform, SocialActionType) */
export function promotionPolicy(task: { platform: string; actionType: string }): PromotionPolicy {
  if (task.platform === 'FACEBOOK') {
    switch (task.actionType) {
      case 'FOLLOW':
        return {
          verdict: 'PROHIBITED',
          rule: "Facebook's Pages policy does not allow a promotion to be entered by liking or following the Page; reward a comment on or a like of a Page post instead.",
        };
      case 'SHARE':
        return {
          verdict: 'PROHIBITED',
          rule: "Facebook's Pages policy does not allow a promotion to be entered by sharing on a timeline, and Meta's Platform Terms forbid incentivising shares.",
        };
      case 'MENTION':
        return {
          verdict: 'PROHIBITED',
          rule: "Facebook's Pages policy does not allow a promotion to be entered by tagging friends.",
        };
      default:
        return ALLOWED;
    }
  }
  if (task.actionType === 'SHARE') {
    return {
      verdict: 'RISK',
      rule: "Meta's Platform Terms name rewarded shares as incentivised actions they do not allow; the platform's own rules may forbid it too.",
    };
  }
  if (task.platform === 'INSTAGRAM' && task.actionType === 'FOLLOW') {
    return {
      verdict: 'RISK',
      rule: "Instagram's promotion guidelines do not ban follow-to-enter outright, but Meta's Platform Terms allow incentives only for entering a promotion; rewarded follows risk enforcement.",
    };
  }
  return ALLOWED;
}
