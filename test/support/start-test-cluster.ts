// `npm run test:cluster`: one real Temporal server on PostgreSQL (the cluster topology) for the run,
// with its databases in the test PostgreSQL. Test files reach it through TEST_TEMPORAL_ADDRESS
// (test/support/temporal.ts uses it instead of starting a dev server).
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startClusterTemporalServer, type ClusterTemporalServer } from '../../src/dev/cluster-temporal-server.js';
import { postgresTarget } from '../../src/dev/temporal-cluster-databases.js';

export async function startTestCluster(): Promise<void> {
  const base = process.env.TEST_PG_BASE_URL;
  if (!base) throw new Error('start the test PostgreSQL first (TEST_PG_BASE_URL is not set)');
  const started = Date.now();
  const server = await startClusterTemporalServer({
    dataDir: await mkdtemp(join(tmpdir(), 'social-tasks-temporal-cluster-')),
    postgres: postgresTarget(base),
  });
  process.env.TEST_TEMPORAL_ADDRESS = server.address;
  (globalThis as { __testTemporalCluster?: ClusterTemporalServer }).__testTemporalCluster = server;
  console.log(
    `\nTemporal server (cluster topology) serving at ${server.address} after ${((Date.now() - started) / 1000).toFixed(1)} s; log ${server.logPath}`,
  );
}

export async function stopTestCluster(): Promise<void> {
  await (globalThis as { __testTemporalCluster?: ClusterTemporalServer }).__testTemporalCluster?.stop();
}
