// The real Temporal server's static config for one machine, derived from the module's
// config/development-postgres12.yaml: PostgreSQL persistence and SQL visibility, 8 history shards,
// all four services (frontend, history, matching, worker) in one process on ports we choose, and
// the dynamic config file docker-compose.yml mounts (so the file we ship is the file we test).
// Written as JSON, which YAML parsers (the server's included) read as YAML.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../temporal/binaries.js';
import type { PostgresTarget, TemporalDatabaseNames } from './temporal-cluster-databases.js';

/** The dynamic config docker-compose.yml mounts into its Temporal server. */
export const PRODUCTION_DYNAMIC_CONFIG = join(PROJECT_ROOT, 'deploy', 'temporal', 'dynamicconfig', 'production-sql.yaml');

export const HISTORY_SHARDS = 8;

/** gRPC and membership (ringpop) ports of the four services; frontend.grpc is the client address. */
export interface ClusterPorts {
  readonly frontend: { grpc: number; http: number; membership: number };
  readonly history: { grpc: number; membership: number };
  readonly matching: { grpc: number; membership: number };
  readonly worker: { grpc: number; membership: number };
}

export function clusterConfig(options: {
  postgres: PostgresTarget;
  databases: TemporalDatabaseNames;
  ports: ClusterPorts;
  dynamicConfigFile?: string;
}): Record<string, unknown> {
  const { postgres, databases, ports } = options;
  const datastore = (databaseName: string, maxConns: number) => ({
    sql: {
      pluginName: 'postgres12',
      databaseName,
      connectAddr: `${postgres.host}:${postgres.port}`,
      connectProtocol: 'tcp',
      user: postgres.user,
      password: postgres.password,
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  const service = (rpc: Record<string, number>) => ({ rpc: { ...rpc, bindOnLocalHost: true } });
  return {
    log: { stdout: true, level: 'warn' },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      numHistoryShards: HISTORY_SHARDS,
      datastores: {
        'postgres-default': datastore(databases.persistence, 20),
        'postgres-visibility': datastore(databases.visibility, 4),
      },
    },
    global: { membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' } },
    services: {
      frontend: service({
        grpcPort: ports.frontend.grpc,
        membershipPort: ports.frontend.membership,
        httpPort: ports.frontend.http,
      }),
      history: service({ grpcPort: ports.history.grpc, membershipPort: ports.history.membership }),
      matching: service({ grpcPort: ports.matching.grpc, membershipPort: ports.matching.membership }),
      worker: service({ grpcPort: ports.worker.grpc, membershipPort: ports.worker.membership }),
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: { enabled: true, initialFailoverVersion: 1, rpcName: 'frontend', rpcAddress: `127.0.0.1:${ports.frontend.grpc}` },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    dynamicConfigClient: { filepath: options.dynamicConfigFile ?? PRODUCTION_DYNAMIC_CONFIG, pollInterval: '10s' },
  };
}

/** The ports a config written by `clusterConfig` uses (throws on another shape). */
export function portsOfConfig(config: Record<string, unknown>): ClusterPorts {
  const rpc = (name: string) => {
    const found = (config.services as Record<string, { rpc?: Record<string, unknown> }> | undefined)?.[name]?.rpc ?? {};
    const port = (key: string) => {
      const value = found[key];
      if (typeof value !== 'number') throw new Error(`no ${name}.${key} in the config`);
      return value;
    };
    return { grpc: port('grpcPort'), membership: port('membershipPort'), http: found.httpPort };
  };
  const frontend = rpc('frontend');
  const plain = (name: string) => {
    const { grpc, membership } = rpc(name);
    return { grpc, membership };
  };
  if (typeof frontend.http !== 'number') throw new Error('no frontend.httpPort in the config');
  return {
    frontend: { grpc: frontend.grpc, http: frontend.http, membership: frontend.membership },
    history: plain('history'),
    matching: plain('matching'),
    worker: plain('worker'),
  };
}

export const CLUSTER_CONFIG_FILE = 'temporal-server.yaml';

/** Writes the config (it holds the database password: owner-only) and returns its path. */
export function writeClusterConfig(dir: string, config: Record<string, unknown>): string {
  const path = join(dir, CLUSTER_CONFIG_FILE);
  writeFileSync(path, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  return path;
}
