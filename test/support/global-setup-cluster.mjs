// Global setup of `npm run test:cluster`: the test PostgreSQL, then the real Temporal server on it.
import { tsImport } from 'tsx/esm/api';

export default async function globalSetup() {
  const { startTestPostgres } = await tsImport('./start-test-postgres.ts', import.meta.url);
  await startTestPostgres();
  const { startTestCluster } = await tsImport('./start-test-cluster.ts', import.meta.url);
  await startTestCluster();
}
