// The floor: Temporal's own cost for a claim-shaped workflow on the stack the bench measures us on.
// A bare workflow (scripts/bench/floor-workflow.ts: wait for one signal, POST once to the provider
// stand-in, complete) runs on its own task queue, in its own worker process with our workflow
// worker's options, against the same server and database the bench gives it. Started N times,
// left waiting, then signalled at once and drained: the same two phases our claims go through,
// so every figure of ours has the floor's beside it and a ratio (scripts/bench/compare.ts).
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { freePort } from '../../src/dev/free-port.js';
import { PROJECT_ROOT } from '../../src/temporal/binaries.js';
import { MAX_CACHED_WORKFLOWS } from '../../src/worker/options.js';
import { FLOOR_WORKFLOW_TYPE, floorGoSignal } from './floor-definitions.js';
import { cpuMsPer, cpuSnapshot, rssMb } from './proc.js';
import { atConcurrency, prometheusSum, say, sleep, until } from './util.js';

/** What a bench phase needs of the stack it measures, whatever the topology that started it. */
export interface BenchStack {
  readonly client: Client;
  readonly temporalAddress: string;
  readonly namespace: string;
  /** The provider stand-in: its base URL and every message it accepted. */
  readonly provider: { readonly url: string; readonly accepted: readonly { number: string; at: number }[] };
  /** Where child processes write their logs. */
  readonly logDir: string;
  /** The server-side processes whose CPU is counted (absent: not ours to measure, e.g. a remote server). */
  readonly serverPids: () => { temporal?: number | undefined; postgres?: number | undefined; 'temporal-postgres'?: number | undefined };
}

export interface PhaseFigures {
  readonly workflows: number;
  readonly seconds: number;
  /** CPU milliseconds per workflow, per process (temporal, worker, postgres). */
  readonly cpuMsPerWorkflow: Record<string, number>;
}

export interface FloorFigures {
  /** Start N and run each to its wait. */
  readonly start: PhaseFigures;
  /** Signal all N at once until the provider accepted the last POST. */
  readonly drain: PhaseFigures & { readonly perSecond: number };
  readonly historyEvents: number;
  readonly rss: MemoryFigures;
}

export interface MemoryFigures {
  readonly idleMb: number;
  readonly waitingMb: number;
  /** Workflows in the worker's cache while waiting (the SDK's sticky cache gauge). */
  readonly cached: number;
  /** (waiting − idle) ÷ cached. */
  readonly perCachedMb: number;
}

const CONCURRENCY = 32;
/** Sending numbers the floor spreads over so the stand-in's 80 msg/s per number never paces it. */
const FLOOR_NUMBERS = 8;
/** Workflow tasks the SDK's exporter counts (a histogram: its _count is the number of tasks). */
const WORKFLOW_TASKS = 'temporal_workflow_task_execution_latency_count';
const STICKY_CACHE_SIZE = 'temporal_sticky_cache_size';

export function memoryFigures(idleMb: number, waitingMb: number, cachedGauge: number, waiting: number): MemoryFigures {
  const cached = Number.isNaN(cachedGauge) ? Math.min(waiting, MAX_CACHED_WORKFLOWS) : cachedGauge;
  return { idleMb, waitingMb, cached, perCachedMb: (waitingMb - idleMb) / cached };
}

/** One floor run of `workflows` bare workflows; `run` names its task queue and sending numbers. */
export async function measureFloor(stack: BenchStack, workflows: number, run: string): Promise<FloorFigures> {
  const taskQueue = `floor-${run}`;
  const metricsPort = await freePort();
  const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  const worker = await startFloorWorker(stack, taskQueue, metricsPort, run);
  try {
    // Temporal's own PostgreSQL too where it has one (the cluster topology): its persistence is part of its cost.
    const pids = () => ({ ...stack.serverPids(), worker: worker.pid });
    await until(async () => !Number.isNaN(await prometheusSum(metricsUrl, STICKY_CACHE_SIZE)), 30_000);
    await sleep(1_000);
    const idleMb = rssMb(worker.pid);
    const tasksBefore = (await prometheusSum(metricsUrl, WORKFLOW_TASKS)) || 0;

    const workflowId = (i: number) => `floor-${run}-${i}`;
    const startCpu = cpuSnapshot(pids());
    const started = Date.now();
    await atConcurrency(workflows, CONCURRENCY, async (i) => {
      await stack.client.workflow.start(FLOOR_WORKFLOW_TYPE, { workflowId: workflowId(i), taskQueue, args: [i] });
    });
    // Waiting: every workflow has run its first workflow task.
    const allWaiting = await until(async () => (await prometheusSum(metricsUrl, WORKFLOW_TASKS)) - tasksBefore >= workflows, 15 * 60_000, 200);
    if (!allWaiting) say(`floor ${run}: not all ${workflows} workflows reached their wait; figures cover those that did`);
    const start: PhaseFigures = {
      workflows,
      seconds: (Date.now() - started) / 1000,
      cpuMsPerWorkflow: cpuMsPer(startCpu, cpuSnapshot(pids()), workflows),
    };
    await sleep(1_000);
    const rss = memoryFigures(idleMb, rssMb(worker.pid), await prometheusSum(metricsUrl, STICKY_CACHE_SIZE), workflows);

    const ours = (m: { number: string }) => m.number.startsWith(`floor-${run}-`);
    const acceptedBefore = stack.provider.accepted.filter(ours).length;
    const drainCpu = cpuSnapshot(pids());
    const signalled = Date.now();
    await atConcurrency(workflows, CONCURRENCY, (i) => stack.client.workflow.getHandle(workflowId(i)).signal(floorGoSignal));
    await until(async () => stack.provider.accepted.filter(ours).length - acceptedBefore >= workflows, 15 * 60_000, 100);
    const last = Math.max(...stack.provider.accepted.filter(ours).map((m) => m.at));
    const drainSeconds = (last - signalled) / 1000;
    const drain = {
      workflows,
      seconds: drainSeconds,
      perSecond: workflows / drainSeconds,
      cpuMsPerWorkflow: cpuMsPer(drainCpu, cpuSnapshot(pids()), workflows),
    };

    const one = stack.client.workflow.getHandle(workflowId(0));
    await until(async () => (await one.describe()).status.name === 'COMPLETED', 60_000);
    const historyEvents = (await one.fetchHistory()).events?.length ?? 0;
    return { start, drain, historyEvents, rss };
  } finally {
    await worker.stop();
  }
}

/** The floor worker process (scripts/bench/floor-worker.ts); resolves once it polls. */
async function startFloorWorker(stack: BenchStack, taskQueue: string, metricsPort: number, run: string) {
  const log = createWriteStream(join(stack.logDir, `floor-worker-${run}.log`), { flags: 'a' });
  const child = spawn(process.execPath, ['--import', 'tsx', join('scripts', 'bench', 'floor-worker.ts')], {
    cwd: PROJECT_ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TEMPORAL_ADDRESS: stack.temporalAddress,
      TEMPORAL_NAMESPACE: stack.namespace,
      FLOOR_TASK_QUEUE: taskQueue,
      // The number in the path rotates per workflow (the stand-in limits 80 msg/s per number).
      FLOOR_SEND_URL: `${stack.provider.url}/n/floor-${run}-{n}/send`,
      FLOOR_NUMBERS: String(FLOOR_NUMBERS),
      FLOOR_METRICS_PORT: String(metricsPort),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr.pipe(log, { end: false });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    child.stdout.on('data', (chunk: Buffer) => {
      log.write(chunk);
      seen += chunk.toString();
      if (seen.includes('FLOOR_WORKER_READY')) resolve();
    });
    exited.then(() => reject(new Error(`floor worker exited during start; see ${join(stack.logDir, `floor-worker-${run}.log`)}`)));
  });
  return {
    pid: child.pid,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
        await exited;
        clearTimeout(timer);
      }
      log.end();
    },
  };
}
