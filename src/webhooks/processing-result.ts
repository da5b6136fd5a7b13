// What processing a webhook delivery did: returned by each activity (per change, so the workflow
// history shows what was applied), summarised by the workflow, stored in WebhookEvent.result and
// shown to tenant admins (their own slice only). Types only: the workflow sandbox imports them.

export type ItemKind = 'status' | 'inbound' | 'account' | 'comment' | 'other';

/**
 * applied   – changed (or confirmed) our data
 * kept      – a status for a message id no notification has yet; applied when the id appears
 * ignored   – understood but nothing to do (untracked status, informational account event, unhandled field)
 * unmatched – names something we do not know (phone number, end user, WABA) or is malformed
 */
export type ItemOutcome = 'applied' | 'kept' | 'ignored' | 'unmatched';

export interface ProcessedItem {
  readonly kind: ItemKind;
  readonly outcome: ItemOutcome;
  /** The tenant the item concerns, when known */
  readonly tenantId?: string;
  /** What the item names: a wamid, a masked phone, a WABA or account id */
  readonly ref?: string;
  readonly detail: string;
}

export interface ChangeOutcome {
  readonly entryIndex: number | null;
  readonly changeIndex: number | null;
  readonly field: string;
  readonly items: ProcessedItem[];
}

export interface UnmatchedItem {
  readonly entry: number | null;
  readonly change: number | null;
  readonly field: string;
  readonly kind: ItemKind;
  readonly ref?: string;
  readonly reason: string;
}

export interface ProcessingCounts {
  readonly statusesApplied: number;
  readonly statusesKept: number;
  readonly inboundRecorded: number;
  readonly accountEventsApplied: number;
  /** Comments written to (or removed from) comment indexes; absent in results recorded before it existed */
  readonly commentsIndexed?: number;
  readonly ignored: number;
  readonly unmatchedTotal: number;
}

export interface TenantSummary extends ProcessingCounts {
  /** The first 100 (workflows/process-meta-webhook.ts); unmatchedTotal has the full count */
  readonly unmatched: UnmatchedItem[];
}

export interface WebhookProcessingResult extends ProcessingCounts {
  readonly object: string | null;
  readonly changes: number;
  readonly unmatched: UnmatchedItem[];
  /** Every tenant an item concerned (WebhookEvent.tenantId is set when there is exactly one) */
  readonly tenantIds: string[];
  /** Tenants with at least one unmatched item (drives `?unmatched=true`) */
  readonly unmatchedTenantIds: string[];
  readonly byTenant: Record<string, TenantSummary>;
}
