// Every workflow the worker runs. The worker bundles this file into the deterministic sandbox.
export { verifySocialTaskClaim } from './verify-social-task-claim.js';
export { refreshWhatsappToken } from './refresh-whatsapp-token.js';
export { processMetaWebhook } from './process-meta-webhook.js';
export { pruneRetainedRows } from './prune-retained-rows.js';
export { indexTargetComments } from './index-target-comments.js';
export { replanWaitingClaims } from './replan-waiting-claims.js';
export { subscribeMetaWebhooks } from './subscribe-meta-webhooks.js';
export { deliverTenantEvent } from './deliver-tenant-event.js';
