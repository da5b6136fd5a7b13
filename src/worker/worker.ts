// The worker: runs workflows (bundled from workflows/index.ts) and the activities built from deps.
import { type NativeConnection, Worker } from '@temporalio/worker';
import { fileURLToPath } from 'node:url';
import type { ActivityDeps } from '../../activities/deps.js';
import { createActivities } from '../../activities/index.js';
import { workerInterceptors, workflowSpanSinks } from '../observability/temporal-interceptors.js';
import { preloadedWorkflowModules, WORKFLOW_WORKER_OPTIONS } from './options.js';

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
    ...(options.workflowBundle
      ? { workflowBundle: options.workflowBundle }
      : { workflowsPath: WORKFLOWS_PATH, bundlerOptions: { preloadModules: preloadedWorkflowModules(WORKFLOWS_PATH) } }),
    activities: createActivities(options.deps),
    // Traces, activity metrics and log context (src/observability); a prebuilt bundle must include
    // WORKFLOW_INTERCEPTOR_MODULES itself.
    interceptors: workerInterceptors(options.deps),
    sinks: workflowSpanSinks(),
    ...WORKFLOW_WORKER_OPTIONS,
  });
}
