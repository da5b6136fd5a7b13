// The bench's stack for one topology (BENCH_TOPOLOGIES / TEMPORAL_TOPOLOGY): our PostgreSQL,
// Temporal (the CLI dev server, or the real server on its own PostgreSQL), WORKERS worker and APIS
// API processes (several APIs behind a round-robin proxy), each worker with its own metrics port.
// DATABASE_URL / TEMPORAL_ADDRESS, when set, are used instead of starting those. Phases get this
// object and read addresses and process ids from it, whatever the topology.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { freePort } from '../../src/dev/free-port.js';
import { parseTopology, processCount, temporalTopology, type TemporalTopology } from '../../src/dev/topology.js';
import { ourProcesses, startInfrastructure, type Infrastructure, type OurProcesses } from '../../test/chaos/topology.js';
import { postmasterPid } from './proc.js';

export interface TopologyStack {
  readonly topology: TemporalTopology;
  readonly workDir: string;
  readonly databaseUrl: string;
  readonly temporalAddress: string;
  readonly apiUrl: string;
  readonly taskQueue: string;
  readonly client: Client;
  readonly namespace: string;
  /** Where the processes' logs go */
  readonly logDir: string;
  readonly infra: Infrastructure;
  readonly ours: OurProcesses;
  /** The workers' Prometheus ports, in worker order */
  readonly workerMetricsPorts: number[];
  /** Process ids by name (temporal, temporal-postgres, worker[-n], api[-n], postgres), for CPU figures */
  processes(): Record<string, number | undefined>;
  /** The server side: Temporal and our PostgreSQL (and Temporal's, on the cluster) */
  serverPids(): { temporal?: number | undefined; postgres?: number | undefined; 'temporal-postgres'?: number | undefined };
  /** One more worker process (with its own metrics port) */
  addWorker(): Promise<void>;
  stop(): Promise<void>;
}

/** BENCH_TOPOLOGIES (comma-separated, e.g. dev,cluster), else TEMPORAL_TOPOLOGY, else dev. */
export function benchTopologies(env: NodeJS.ProcessEnv = process.env): TemporalTopology[] {
  const list = env.BENCH_TOPOLOGIES?.trim();
  if (!list) return [temporalTopology(env)];
  return [...new Set(list.split(',').map((each) => parseTopology(each, 'BENCH_TOPOLOGIES')))];
}

export async function startTopologyStack(options: {
  topology: TemporalTopology;
  workDir: string;
  /** Our settings for the API and worker processes (provider URLs, rates, …) */
  env: NodeJS.ProcessEnv;
  workers?: number;
  apis?: number;
  /** More settings for worker `index` only (e.g. the CPU profiler on the first) */
  workerEnv?: (index: number) => NodeJS.ProcessEnv;
}): Promise<TopologyStack> {
  const workDir = join(options.workDir, options.topology);
  mkdirSync(workDir, { recursive: true });
  chmodSync(workDir, 0o755);
  const infra = await startInfrastructure({
    topology: options.topology,
    workDir,
    database: 'bench',
    existing: { databaseUrl: process.env.DATABASE_URL, temporalAddress: process.env.TEMPORAL_ADDRESS },
  });
  const taskQueue = `bench-${randomBytes(3).toString('hex')}`;
  const workerMetricsPorts: number[] = [];
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...options.env,
    DATABASE_URL: infra.databaseUrl,
    TEMPORAL_ADDRESS: infra.temporalAddress,
    TEMPORAL_TASK_QUEUE: taskQueue,
  };
  // Up to WORKERS (at most 8) and the one more the drain phase adds.
  for (let i = 0; i < 9; i++) workerMetricsPorts.push(await freePort());
  const ours = await ourProcesses({
    apis: options.apis ?? processCount('APIS'),
    workers: options.workers ?? processCount('WORKERS'),
    env,
    logDir: workDir,
    workerEnv: (i) => ({ ...options.workerEnv?.(i), WORKER_METRICS_PORT: String(workerMetricsPorts[i]) }),
  });
  await ours.start();
  const client = new Client({ connection: await Connection.connect({ address: infra.temporalAddress }) });
  const postgresPid = infra.postgres ? postmasterPid(join(workDir, 'postgres')) : undefined;
  const temporalPostgresPid = infra.temporalPostgres ? postmasterPid(join(workDir, 'temporal-postgres')) : undefined;
  return {
    topology: options.topology,
    workDir,
    databaseUrl: infra.databaseUrl,
    temporalAddress: infra.temporalAddress,
    apiUrl: ours.apiUrl,
    taskQueue,
    client,
    namespace: 'default',
    logDir: workDir,
    infra,
    ours,
    get workerMetricsPorts() {
      return workerMetricsPorts.slice(0, ours.workers.length);
    },
    processes() {
      const named = (kind: string, list: { pid: number | undefined }[]) =>
        list.map((each, i) => [list.length === 1 ? kind : `${kind}-${i + 1}`, each.pid] as const);
      return Object.fromEntries([
        ['temporal', infra.temporal?.pid],
        ...(infra.temporalPostgres ? [['temporal-postgres', temporalPostgresPid] as const] : []),
        ...named('worker', ours.workers),
        ...named('api', ours.apis),
        ['postgres', postgresPid],
      ]);
    },
    serverPids: () => ({
      temporal: infra.temporal?.pid,
      postgres: postgresPid,
      ...(infra.temporalPostgres ? { 'temporal-postgres': temporalPostgresPid } : {}),
    }),
    addWorker: () => ours.addWorker(),
    async stop() {
      await client.connection.close();
      await ours.stop();
      await infra.stop();
    },
  };
}
