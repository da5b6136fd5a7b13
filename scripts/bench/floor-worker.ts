// The floor's worker, in its own process like ours (src/main/worker.ts): the bare workflow and its
// one activity on their own task queue, with our workflow worker's options (src/worker/options.ts:
// cache size, shutdown grace, the SDK's modules and the workflow module preloaded)
// and the SDK's Prometheus exporter on (our bench worker runs with it too). The bench reads the
// exporter for the number of workflow tasks done and the cache size. Prints FLOOR_WORKER_READY
// once polling. Env: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, FLOOR_TASK_QUEUE, FLOOR_SEND_URL,
// FLOOR_NUMBERS, FLOOR_METRICS_PORT.
import { fileURLToPath } from 'node:url';
import { NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { preloadedWorkflowModules, WORKFLOW_WORKER_OPTIONS } from '../../src/worker/options.js';
import { createFloorActivities } from './floor-activities.js';

const need = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

async function main(): Promise<void> {
  Runtime.install({ telemetryOptions: { metrics: { prometheus: { bindAddress: `127.0.0.1:${need('FLOOR_METRICS_PORT')}` } } } });
  const workflowsPath = fileURLToPath(new URL('./floor-workflow.ts', import.meta.url));
  const connection = await NativeConnection.connect({ address: need('TEMPORAL_ADDRESS') });
  const worker = await Worker.create({
    connection,
    namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue: need('FLOOR_TASK_QUEUE'),
    workflowsPath,
    bundlerOptions: { preloadModules: preloadedWorkflowModules(workflowsPath) },
    activities: createFloorActivities(need('FLOOR_SEND_URL'), Number(process.env.FLOOR_NUMBERS ?? 1)),
    ...WORKFLOW_WORKER_OPTIONS,
  });
  const stop = () => worker.shutdown();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  const running = worker.run();
  console.log('FLOOR_WORKER_READY');
  await running;
  await connection.close();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
