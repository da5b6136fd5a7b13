// The bench's floor: the least a claim-shaped workflow can cost on this Temporal server. It waits
// for one signal, runs one activity (a POST to the provider stand-in) and completes. Bundled by
// scripts/bench/floor-worker.ts; deterministic sandbox code only.
import { condition, proxyActivities, setHandler } from '@temporalio/workflow';
import type { FloorActivities } from './floor-activities.js';
import { floorGoSignal } from './floor-definitions.js';

const { postToProvider } = proxyActivities<FloorActivities>({ startToCloseTimeout: '30s' });

export async function floorWorkflow(index: number): Promise<void> {
  let go = false;
  setHandler(floorGoSignal, () => {
    go = true;
  });
  await condition(() => go);
  await postToProvider(index);
}
