// Meta credentials' webhooks: every write of them (re)subscribes the account's webhooks in the
// background (a workflow, src/webhook-subscriptions); the settings views show how that went.
import type { SubscriptionOwner } from '../../webhook-subscriptions/subscription-store.js';

export const tenantOwner = (tenantId: string): SubscriptionOwner => ({ kind: 'tenant', tenantId });
export const PLATFORM_OWNER: SubscriptionOwner = { kind: 'platform' };

/** Whether a settings view's metaConfig names an account whose webhooks can be subscribed. */
export const subscribable = (view: {
  metaConfig: { facebookPageId: string | null; facebookToken: { configured: boolean }; instagramAccountId: string | null } | null;
}) =>
  Boolean(view.metaConfig && ((view.metaConfig.facebookPageId && view.metaConfig.facebookToken.configured) || view.metaConfig.instagramAccountId));
