// Names of the webhook-subscription workflow, shared by the workflow, its activities and the API
// (which starts it after every Meta credentials write). Sandbox-safe.

export const SUBSCRIBE_WEBHOOKS_WORKFLOW_TYPE = 'subscribeMetaWebhooks';

/** "tenant:<id>" or "platform": whose Meta credentials are subscribed */
export type SubscriptionOwnerKey = string;

export interface SubscribeWebhooksInput {
  readonly ownerKey: SubscriptionOwnerKey;
  /** The credentials write this run answers; a newer write makes it stale (it then does nothing) */
  readonly version: number;
}

/** One workflow per owner and credentials write: starting it twice is one run. */
export const webhookSubscriptionWorkflowId = (input: SubscribeWebhooksInput) => `meta-webhook-subscription-${input.ownerKey}-v${input.version}`;
