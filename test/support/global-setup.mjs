// Jest loads global setup outside its own transform pipeline, so the TypeScript behind it is
// loaded with tsx (the same loader `npm run dev`/`api`/`worker` use).
import { tsImport } from 'tsx/esm/api';

export default async function globalSetup() {
  const { startTestPostgres } = await tsImport('./start-test-postgres.ts', import.meta.url);
  await startTestPostgres();
}
