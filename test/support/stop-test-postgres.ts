import type { RunningPostgres } from '../../src/db/embedded-postgres.js';

export async function stopTestPostgres(): Promise<void> {
  const postgres = (globalThis as { __testPostgres?: RunningPostgres }).__testPostgres;
  await postgres?.stop();
}
