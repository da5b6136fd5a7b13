// Names of the re-plan fan-out workflow, shared by the workflow and its callers (API, webhook
// activities). Sandbox-safe.
import { defineSignal } from '@temporalio/workflow';

export const REPLAN_WORKFLOW_TYPE = 'replanWaitingClaims';

/** Which waiting claims to tell: one campaign's (an edit), or all of a tenant's (a WhatsApp account changed). */
export type ReplanScope =
  | { readonly kind: 'campaign'; readonly tenantId: string; readonly campaignId: string }
  | { readonly kind: 'tenant'; readonly tenantId: string };

/** What one fan-out did: its passes and the claims it signalled. */
export interface ReplanSummary {
  readonly passes: number;
  readonly signalled: number;
}

/** The workflow's signature, for typed starts by callers that must not import the workflow itself. */
export type ReplanWaitingClaimsWorkflow = (scope: ReplanScope) => Promise<ReplanSummary>;

/** One fan-out per scope at a time: edits made while it runs are covered by one more pass. */
export const replanWorkflowId = (scope: ReplanScope) =>
  scope.kind === 'campaign' ? `replan-campaign-${scope.campaignId}` : `replan-tenant-${scope.tenantId}`;

/** Sent with signal-with-start by every caller: "the settings changed, (re)tell the waiting claims". */
export const replanRequestedSignal = defineSignal('replanRequested');
