// Names of the comment-index entity workflow, shared by the workflow, the verification activity
// and the API (which asks for a backfill when a task is created). Sandbox-safe.
import { defineSignal } from '@temporalio/workflow';

export const COMMENT_INDEX_WORKFLOW_TYPE = 'indexTargetComments';

/** The platforms whose comments are indexed: Instagram media and Facebook Page posts. */
export type IndexPlatform = 'INSTAGRAM' | 'FACEBOOK';

/** One entity workflow per tenant and target: its crawls are shared by every claim on it. */
export const commentIndexWorkflowId = (key: { readonly tenantId: string; readonly targetId: string }) =>
  `comment-index-${key.tenantId}-${key.targetId}`;

/** Input of indexTargetComments: ids only (the activity loads credentials itself). */
export interface CommentIndexWorkflowInput {
  readonly tenantId: string;
  readonly platform: IndexPlatform;
  readonly targetId: string;
  /** Requests arriving within this long of the first share one crawl (COMMENT_INDEX_COALESCE) */
  readonly coalesceMs: number;
  /** Carried over by continue-as-new: the newest freshness still owed */
  readonly owedAsOf?: string;
  /** Carried over by continue-as-new: crawls failed in a row (their backoff grows) */
  readonly failedInARow?: number;
}

export interface FreshnessRequest {
  /** The index must hold every comment created before this instant (the claim's verify time) */
  readonly asOf: string;
}

export const freshnessRequestedSignal = defineSignal<[FreshnessRequest]>('freshnessRequested');
