// Names shared by workflows and their callers (API, tests). Kept free of Node-only code: this file
// is bundled into the workflow sandbox.
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { ClaimStatus, NotificationStatus } from '../src/domain/statuses.js';

export const CLAIM_WORKFLOW_TYPE = 'verifySocialTaskClaim';
export const REFRESH_TOKEN_WORKFLOW_TYPE = 'refreshWhatsappToken';
export const PROCESS_WEBHOOK_WORKFLOW_TYPE = 'processMetaWebhook';
export const PRUNE_RETAINED_ROWS_WORKFLOW_TYPE = 'pruneRetainedRows';

export const claimWorkflowId = (claimId: string) => `claim-${claimId}`;
/** One webhook delivery (its dedupe key is the sha256 of the body Meta signed). */
export const webhookWorkflowId = (dedupeKey: string) => `meta-webhook-${dedupeKey}`;

/** Input of verifySocialTaskClaim: ids and policy only, never a secret (operators see it in the UI). */
export interface ClaimWorkflowInput {
  readonly claimId: string;
  readonly tenantId: string;
  readonly campaignId: string;
  /** CLAIM_VERIFY_DELAY at claim time */
  readonly verifyDelayMs: number;
  readonly manualReviewTimeoutMs: number;
  readonly credentialRetryWindowMs: number;
  readonly notificationMaxDelayMs: number;
  /**
   * History length (events) past which a run that is waiting to notify continues as new, so a claim
   * that waits weeks through many campaign edits never nears Temporal's history limit. Default 2,000.
   */
  readonly continueAsNewAfterEvents?: number;
  /** The task queue of send activities, paced per channel by fairness keys (TEMPORAL_SEND_TASK_QUEUE). */
  readonly sendTaskQueue: string;
  /** Set only by continue-as-new: the claim is verified and credited; resume at the notify loop. */
  readonly resumeNotifying?: { readonly skipWindowOnce: boolean };
}

/** What a claim's workflow ends with. */
export interface ClaimResult {
  readonly status: ClaimStatus;
  readonly notificationStatus: NotificationStatus;
}

/** The claim workflow's signature, for typed starts and continue-as-new without importing the workflow. */
export type ClaimWorkflow = (input: ClaimWorkflowInput) => Promise<ClaimResult>;

export interface ManualDecision {
  readonly approved: boolean;
  readonly reason?: string;
  /** Who decided (tenant admin user id), for the history */
  readonly decidedBy?: string;
}

export type ClaimPhase =
  | 'WAITING_TO_VERIFY'
  | 'VERIFYING'
  | 'AWAITING_MANUAL_REVIEW'
  | 'WAITING_FOR_CREDENTIALS'
  | 'WAITING_FOR_WINDOW'
  | 'HELD'
  | 'NOTIFYING'
  | 'DONE';

export interface ClaimState {
  readonly phase: ClaimPhase;
  readonly status: ClaimStatus;
  readonly notificationStatus: NotificationStatus;
  readonly verifyAt?: string;
  readonly notBefore?: string;
  readonly detail?: string;
}

/** Approve or reject a pending claim (tenant admin). Applied once; later decisions are ignored. */
export const manualDecisionSignal = defineSignal<[ManualDecision]>('manualDecision');
/** The campaign's notification settings or the tenant's WhatsApp account changed: re-plan now. */
export const notificationSettingsChangedSignal = defineSignal('notificationSettingsChanged');
/** Send the notification now, ignoring the window. */
export const notifyNowSignal = defineSignal('notifyNow');
/** The live state of a claim, for operators and the API. */
export const claimStateQuery = defineQuery<ClaimState>('claimState');
