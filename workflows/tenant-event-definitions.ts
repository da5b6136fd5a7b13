// Names shared by the tenant-event delivery workflow and its starters.
export const DELIVER_TENANT_EVENT_WORKFLOW_TYPE = 'deliverTenantEvent';

/** One workflow per event and delivery round (a redelivery is a new round). */
export const tenantEventWorkflowId = (eventId: string, round: number) => `tenant-event-${eventId}-${round}`;

export interface DeliverTenantEventInput {
  readonly eventId: string;
  readonly round: number;
  /** How long the delivery keeps retrying (EVENTS_WEBHOOK_RETRY_WINDOW) */
  readonly retryWindowMs: number;
}
