// The stack the chaos run and the bench start, in either topology (TEMPORAL_TOPOLOGY):
//   dev      our PostgreSQL + the Temporal CLI dev server (SQLite, one process)
//   cluster  our PostgreSQL + the real Temporal server on its own PostgreSQL (as docker-compose.yml
//            runs it: persistence and SQL visibility, 8 history shards, the shipped dynamic config)
// and WORKERS worker and APIS API processes of ours; several APIs sit behind a round-robin TCP
// proxy on the API port, as behind a load balancer. Every piece can be killed and restarted.
import { join } from 'node:path';
import { applyMigrations } from '../../src/db/migrate.js';
import { prepareClusterTemporal } from '../../src/dev/cluster-temporal-server.js';
import { waitForPort } from '../../src/dev/dev-temporal-server.js';
import { freePort } from '../../src/dev/free-port.js';
import { postgresTarget } from '../../src/dev/temporal-cluster-databases.js';
import type { TemporalTopology } from '../../src/dev/topology.js';
import { PROJECT_ROOT } from '../../src/temporal/binaries.js';
import { ourProcess, Restartable, RestartablePostgres, temporalServer } from './processes.js';
import { startRoundRobinProxy, type RoundRobinProxy } from './round-robin-proxy.js';

export interface Infrastructure {
  readonly topology: TemporalTopology;
  /** Our PostgreSQL (undefined when an existing one was given) */
  readonly postgres: RestartablePostgres | undefined;
  readonly databaseUrl: string;
  /** Temporal's own PostgreSQL (cluster only; the dev server keeps its state in SQLite) */
  readonly temporalPostgres: RestartablePostgres | undefined;
  /** The Temporal server (undefined when an existing one was given) */
  readonly temporal: Restartable | undefined;
  readonly temporalAddress: string;
  stop(): Promise<void>;
}

/**
 * Our PostgreSQL with a migrated database, and Temporal, both started; `existing` names a database
 * or a Temporal server to use instead of starting one (the bench honours DATABASE_URL/TEMPORAL_ADDRESS).
 */
export async function startInfrastructure(options: {
  topology: TemporalTopology;
  workDir: string;
  database: string;
  existing?: { databaseUrl?: string; temporalAddress?: string };
}): Promise<Infrastructure> {
  let postgres: RestartablePostgres | undefined;
  let databaseUrl = options.existing?.databaseUrl;
  if (!databaseUrl) {
    postgres = new RestartablePostgres(join(options.workDir, 'postgres'), await freePort());
    const pg = await postgres.start();
    await pg.createDatabase(options.database);
    databaseUrl = pg.url(options.database);
  }
  await applyMigrations(databaseUrl, join(PROJECT_ROOT, 'prisma', 'migrations'));

  let temporalPostgres: RestartablePostgres | undefined;
  let temporal: Restartable | undefined;
  let temporalAddress: string;
  if (options.existing?.temporalAddress) {
    temporalAddress = options.existing.temporalAddress;
  } else if (options.topology === 'cluster') {
    temporalPostgres = new RestartablePostgres(join(options.workDir, 'temporal-postgres'), await freePort());
    const temporalPg = await temporalPostgres.start();
    const plan = await prepareClusterTemporal({ dataDir: options.workDir, postgres: postgresTarget(temporalPg.adminUrl) });
    temporal = new Restartable('temporal', plan.command, plan.args, process.env, options.workDir, () => plan.ready());
    temporalAddress = plan.address;
  } else {
    const port = await freePort();
    temporal = temporalServer(options.workDir, port, options.workDir);
    temporalAddress = `127.0.0.1:${port}`;
  }
  await temporal?.start();
  return {
    topology: options.topology,
    postgres,
    databaseUrl,
    temporalPostgres,
    temporal,
    temporalAddress,
    async stop() {
      await temporal?.stop('SIGTERM');
      temporal?.close();
      await temporalPostgres?.stop();
      await postgres?.stop();
    },
  };
}

export interface OurProcesses {
  readonly apis: Restartable[];
  readonly workers: Restartable[];
  /** Where clients reach the API (the proxy when there are several) */
  readonly apiUrl: string;
  readonly proxy: RoundRobinProxy | undefined;
  start(): Promise<void>;
  /** Starts one more worker process (the bench's drain with WORKERS=1, then 2) */
  addWorker(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * APIS API processes and WORKERS worker processes with `env` (DATABASE_URL, TEMPORAL_ADDRESS, …;
 * PORT is set here). `workerEnv(i)` adds per-worker variables (a metrics port each).
 */
export async function ourProcesses(options: {
  apis: number;
  workers: number;
  env: NodeJS.ProcessEnv;
  logDir: string;
  apiPort?: number;
  workerEnv?: (index: number) => NodeJS.ProcessEnv;
}): Promise<OurProcesses> {
  const apiPort = options.apiPort ?? (await freePort());
  const apiPorts = options.apis === 1 ? [apiPort] : await Promise.all(Array.from({ length: options.apis }, () => freePort()));
  const label = (name: string, i: number, n: number) => (n === 1 ? name : `${name}-${i + 1}`);
  const worker = (i: number, n: number) =>
    ourProcess('worker', { ...options.env, ...options.workerEnv?.(i) }, options.logDir, async () => {}, label('worker', i, n));
  const apis = apiPorts.map((port, i) =>
    ourProcess(
      'api',
      { ...options.env, PORT: String(port) },
      options.logDir,
      () => waitForPort('127.0.0.1', port, 60_000),
      label('api', i, options.apis),
    ),
  );
  const workers = Array.from({ length: options.workers }, (_, i) => worker(i, options.workers));
  let proxy: RoundRobinProxy | undefined;
  return {
    apis,
    workers,
    apiUrl: `http://127.0.0.1:${apiPort}`,
    get proxy() {
      return proxy;
    },
    async start() {
      for (const api of apis) await api.start();
      if (options.apis > 1) proxy = await startRoundRobinProxy({ port: apiPort, backends: apiPorts });
      for (const each of workers) await each.start();
    },
    async addWorker() {
      const added = worker(workers.length, workers.length + 1);
      workers.push(added);
      await added.start();
    },
    async stop() {
      await Promise.all(workers.map((each) => each.stop('SIGTERM')));
      await Promise.all(apis.map((api) => api.stop('SIGTERM')));
      await proxy?.close();
      for (const each of [...apis, ...workers]) each.close();
    },
  };
}
