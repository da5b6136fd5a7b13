// Worker options every workflow worker of ours runs with, kept apart from the factories so the
// bench's bare-workflow floor (scripts/bench/floor-worker.ts) runs with exactly the same ones.
import { WORKER_SLOTS } from './worker-slots.js';

/**
 * Workflow cache (sticky execution) size: bounds the worker's memory whatever the number of waiting
 * claims. An evicted claim replays its short history when it next wakes. Measured by the bench
 * (docs/performance.md): about 0.32 MB of worker RSS per cached claim (no workflow interceptors
 * without tracing, SDK and workflow modules preloaded) over about 380 MB idle, so 1,500 cached
 * claims keep 2,000 waiting ones near 860 MB, under 1 GB. (It was 200 when a cached claim cost
 * 2.7 MB.)
 */
export const MAX_CACHED_WORKFLOWS = 1_500;

/**
 * Modules evaluated once per worker instead of once per cached workflow. With the SDK's shared V8
 * context (reuseV8Context, its default) every workflow gets its own instance of each module it
 * imports, unless the module was preloaded: the SDK and our workflow code hold no module-level
 * state (dependency-rule and workflow tests), so one instance serves every workflow, which cut
 * about 0.12 MB per cached workflow in the bench's measurement (docs/performance.md). Never list
 * a module that keeps per-workflow state at module level (the OpenTelemetry interceptors do).
 */
export function preloadedWorkflowModules(workflowsPath: string): string[] {
  return ['@temporalio/workflow', '@temporalio/common', workflowsPath];
}

/** The tuning shared by our workflow worker and the bench's floor worker. */
export const WORKFLOW_WORKER_OPTIONS = {
  // Drain in-flight activities on SIGTERM before exiting.
  shutdownGraceTime: '30s',
  maxCachedWorkflows: MAX_CACHED_WORKFLOWS,
  // Bounded so the database pool (sized from these) has a connection for each.
  maxConcurrentActivityTaskExecutions: WORKER_SLOTS.activities,
  maxConcurrentLocalActivityExecutions: WORKER_SLOTS.localActivities,
} as const;
