// Worker options every workflow worker of ours runs with, kept apart from the factories so the
// bench's bare-workflow floor (scripts/bench/floor-worker.ts) runs with exactly the same ones.
import { WORKER_SLOTS } from './worker-slots.js';

/**
 * Workflow cache (sticky execution) size: bounds the worker's memory whatever the number of waiting
 * claims. An evicted claim replays its short history (about 20 events) when it next wakes, which
 * costs less than the memory: with 1,000 cached claims the bench's worker reached 3.5 GB RSS and
 * the drain starved on garbage collection; with 200 it stays near 1.3 GB with 2,000 claims waiting
 * (docs/performance.md).
 */
export const MAX_CACHED_WORKFLOWS = 200;

/** The tuning shared by our workflow worker and the bench's floor worker. */
export const WORKFLOW_WORKER_OPTIONS = {
  // Drain in-flight activities on SIGTERM before exiting.
  shutdownGraceTime: '30s',
  maxCachedWorkflows: MAX_CACHED_WORKFLOWS,
  // Bounded so the database pool (sized from these) has a connection for each.
  maxConcurrentActivityTaskExecutions: WORKER_SLOTS.activities,
  maxConcurrentLocalActivityExecutions: WORKER_SLOTS.localActivities,
} as const;
