import { tsImport } from 'tsx/esm/api';

export default async function globalTeardown() {
  const { stopTestCluster } = await tsImport('./start-test-cluster.ts', import.meta.url);
  await stopTestCluster();
  const { stopTestPostgres } = await tsImport('./stop-test-postgres.ts', import.meta.url);
  await stopTestPostgres();
}
