// How much the worker process runs at once, and so how many database connections it needs: every
// activity and local-activity slot can be in a query (plus the observation interceptor's lookups),
// and a slot waiting for a connection is a heartbeat late and a transaction nearer its timeout.
// The pool is sized from these (DATABASE_POOL_SIZE overrides it; docs/operating.md).
export const WORKER_SLOTS = {
  /** Activities of the main task queue (verification, webhooks, crawls, token refresh, fan-outs) */
  activities: 40,
  /** Local activities of claim workflows (verify-and-plan, stamp-free steps) */
  localActivities: 40,
  /** Send activities of the send task queue (paced per channel by the server anyway) */
  sendActivities: 20,
} as const;

/** Connections of the worker's main pool: one per slot that can hold a query. */
export function workerPoolSize(slots: typeof WORKER_SLOTS = WORKER_SLOTS): number {
  return slots.activities + slots.localActivities + slots.sendActivities;
}

/** The API's pool: requests and the start sweepers. */
export const API_POOL_SIZE = 20;

/** The worker's second pool, for batch passes with longer limits (retention, re-plan fan-out). */
export const BATCH_POOL_SIZE = 2;
