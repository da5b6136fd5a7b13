// The worker: runs workflows (bundled from workflows/index.ts) and the activities built from deps.
import { type NativeConnection, Worker } from '@temporalio/worker';
import { fileURLToPath } from 'node:url';
import type { ActivityDeps } from '../../activities/deps.js';
import { createActivities } from '../../activities/index.js';
import { workerInterceptors, workflowSpanSinks } from '../observability/temporal-interceptors.js';
import { WORKER_SLOTS } from './worker-slots.js';

/**
 * Workflow cache (sticky execution) size: bounds the worker's memory whatever the number of waiting
 * claims. An evicted claim replays its short history (about 20 events since the local-step patch)
 * when it next wakes, which costs less than the memory: with 1,000 cached claims the bench's worker
 * reached 3.5 GB RSS and the drain starved on garbage collection; with 200 it stays near 1.3 GB
 * with 2,000 claims waiting and drains four times faster (README, "Performance").
 */
export const MAX_CACHED_WORKFLOWS = 200;

export const WORKFLOWS_PATH = fileURLToPath(new URL('../../workflows/index.ts', import.meta.url));

export async function createWorker(options: {
  connection: NativeConnection;
  deps: ActivityDeps;
  workflowBundle?: { code: string };
}): Promise<Worker> {
  const { config } = options.deps;
  return Worker.create({
    connection: options.connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: createActivities(options.deps),
    // Traces, activity metrics and log context (src/observability); a prebuilt bundle must include
    // WORKFLOW_INTERCEPTOR_MODULES itself.
    interceptors: workerInterceptors(options.deps),
    sinks: workflowSpanSinks(),
    // Drain in-flight activities on SIGTERM before exiting.
    shutdownGraceTime: '30s',
    maxCachedWorkflows: MAX_CACHED_WORKFLOWS,
    // Bounded so the database pool (sized from these) has a connection for each.
    maxConcurrentActivityTaskExecutions: WORKER_SLOTS.activities,
    maxConcurrentLocalActivityExecutions: WORKER_SLOTS.localActivities,
  });
}
