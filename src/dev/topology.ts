// The topology switch of the dev stack, the chaos run and the bench (tooling only: the API and the
// worker never read these, so they are not part of src/config.ts).
//   TEMPORAL_TOPOLOGY  dev (default): the Temporal CLI dev server, one process on SQLite;
//                      cluster: the real Temporal server on PostgreSQL (src/dev/cluster-temporal-server.ts)
//   WORKERS, APIS      worker and API processes of the chaos run and the bench (default 1 each)
export const TEMPORAL_TOPOLOGIES = ['dev', 'cluster'] as const;
export type TemporalTopology = (typeof TEMPORAL_TOPOLOGIES)[number];

export function parseTopology(value: string | undefined, name = 'TEMPORAL_TOPOLOGY'): TemporalTopology {
  const text = value?.trim() || 'dev';
  if (!(TEMPORAL_TOPOLOGIES as readonly string[]).includes(text)) {
    throw new Error(`${name}=${text}: expected one of ${TEMPORAL_TOPOLOGIES.join(', ')}`);
  }
  return text as TemporalTopology;
}

export function temporalTopology(env: NodeJS.ProcessEnv = process.env): TemporalTopology {
  return parseTopology(env.TEMPORAL_TOPOLOGY);
}

/** WORKERS / APIS: a whole number from 1 to 8 (default 1). */
export function processCount(name: 'WORKERS' | 'APIS', env: NodeJS.ProcessEnv = process.env): number {
  const text = env[name]?.trim();
  if (!text) return 1;
  const count = Number(text);
  if (!Number.isInteger(count) || count < 1 || count > 8) throw new Error(`${name}=${text}: expected a whole number from 1 to 8`);
  return count;
}
