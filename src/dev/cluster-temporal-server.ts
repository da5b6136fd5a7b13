// The real Temporal server on PostgreSQL (TEMPORAL_TOPOLOGY=cluster), as production runs it but in
// one process: prepares Temporal's databases in the PostgreSQL it is given (creating only its own),
// checks the shipped dynamic config against the server's known keys, writes the server config,
// starts `temporal-server start`, then registers the namespace and our search attributes and
// waits until it serves. `prepareClusterTemporal` alone gives the command, for callers that kill
// and restart the process themselves (the chaos run).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { waitForPort } from './dev-temporal-server.js';
import { freePort, freePortBelow32768, isPortFree } from './free-port.js';
import { bootstrapClusterTemporal } from './temporal-cluster-bootstrap.js';
import {
  CLUSTER_CONFIG_FILE,
  clusterConfig,
  portsOfConfig,
  PRODUCTION_DYNAMIC_CONFIG,
  writeClusterConfig,
  type ClusterPorts,
} from './temporal-cluster-config.js';
import {
  DEFAULT_TEMPORAL_DATABASES,
  prepareTemporalDatabases,
  type PostgresTarget,
  type TemporalDatabaseNames,
} from './temporal-cluster-databases.js';
import { findTemporalServerInstall, type TemporalServerInstall } from './temporal-server-install.js';

const run = promisify(execFile);

export interface ClusterTemporalOptions {
  /** Where the server config and log go */
  readonly dataDir: string;
  /** The PostgreSQL that holds Temporal's databases */
  readonly postgres: PostgresTarget;
  readonly databases?: TemporalDatabaseNames;
  /** The frontend's gRPC port (the client address); a free one when unset */
  readonly port?: number;
  readonly dynamicConfigFile?: string;
}

export interface ClusterTemporalPlan {
  readonly command: string;
  readonly args: readonly string[];
  /** host:port of the frontend */
  readonly address: string;
  readonly port: number;
  readonly configPath: string;
  readonly logPath: string;
  /** Waits until the started server serves our namespace and search attributes */
  ready(timeoutMs?: number): Promise<void>;
}

export interface ClusterTemporalServer {
  readonly address: string;
  readonly logPath: string;
  stop(): Promise<void>;
}

/**
 * `server validate-dynamic-config`: the file's keys and value types must be ones the server
 * knows. Warnings count as failures: an unknown key is silently ignored by the running server.
 */
export async function validateDynamicConfig(install: TemporalServerInstall, file: string): Promise<void> {
  let output: string;
  try {
    output = (await run(install.server, ['validate-dynamic-config', file])).stdout;
  } catch (error) {
    output = (error as { stdout?: string }).stdout ?? String(error);
  }
  const problems = output.split('\n').filter((line) => /^\s*(error|warning):/.test(line));
  if (problems.length > 0) throw new Error(`the dynamic config ${file} is not valid for the Temporal server:\n${problems.join('\n')}`);
}

/**
 * The ports of the config already in `dataDir` when they are all free again: a restarted server
 * finds its previous membership entries (same host and ports) and joins at once; with new ports it
 * first waits out the join timeout trying to reach its dead former self (about 40 s).
 */
async function previousPorts(dataDir: string, frontendPort?: number): Promise<ClusterPorts | undefined> {
  const path = join(dataDir, CLUSTER_CONFIG_FILE);
  if (!existsSync(path)) return undefined;
  let ports: ClusterPorts;
  try {
    ports = portsOfConfig(JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>);
  } catch {
    return undefined;
  }
  if (frontendPort !== undefined && frontendPort !== ports.frontend.grpc) return undefined;
  const all = [ports.frontend, ports.history, ports.matching, ports.worker].flatMap((service) => Object.values(service));
  for (const port of all) if (!(await isPortFree(port))) return undefined;
  return ports;
}

async function allocatePorts(frontendPort?: number): Promise<ClusterPorts> {
  const pair = async () => ({ grpc: await freePort(), membership: await freePortBelow32768() });
  return {
    frontend: { grpc: frontendPort ?? (await freePort()), http: await freePort(), membership: await freePortBelow32768() },
    history: await pair(),
    matching: await pair(),
    worker: await pair(),
  };
}

export async function prepareClusterTemporal(options: ClusterTemporalOptions): Promise<ClusterTemporalPlan> {
  const install = findTemporalServerInstall();
  const dynamicConfigFile = options.dynamicConfigFile ?? PRODUCTION_DYNAMIC_CONFIG;
  await validateDynamicConfig(install, dynamicConfigFile);
  const databases = options.databases ?? DEFAULT_TEMPORAL_DATABASES;
  await prepareTemporalDatabases(install, options.postgres, databases);
  mkdirSync(options.dataDir, { recursive: true });
  const ports = (await previousPorts(options.dataDir, options.port)) ?? (await allocatePorts(options.port));
  const configPath = writeClusterConfig(options.dataDir, clusterConfig({ postgres: options.postgres, databases, ports, dynamicConfigFile }));
  const address = `127.0.0.1:${ports.frontend.grpc}`;
  return {
    command: install.server,
    args: ['--config-file', configPath, '--allow-no-auth', 'start'],
    address,
    port: ports.frontend.grpc,
    configPath,
    logPath: join(options.dataDir, 'temporal-server.log'),
    async ready(timeoutMs = 180_000) {
      await waitForPort('127.0.0.1', ports.frontend.grpc, timeoutMs);
      await bootstrapClusterTemporal(address, { timeoutMs });
    },
  };
}

export async function startClusterTemporalServer(options: ClusterTemporalOptions): Promise<ClusterTemporalServer> {
  const plan = await prepareClusterTemporal(options);
  const log = createWriteStream(plan.logPath, { flags: 'a' });
  const child: ChildProcess = spawn(plan.command, [...plan.args], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    log.end();
  };
  try {
    await Promise.race([
      plan.ready(),
      exited.then((code) => {
        throw new Error(`the Temporal server exited with code ${code} during start; see ${plan.logPath}`);
      }),
    ]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { address: plan.address, logPath: plan.logPath, stop };
}
