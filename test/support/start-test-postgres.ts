// One real PostgreSQL per test run. A template database is migrated once; each test file clones
// it (test/support/database.ts), so files are isolated and never depend on each other's order.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { applyMigrations } from '../../src/db/migrate.js';
import { startEmbeddedPostgres } from '../../src/db/embedded-postgres.js';

export const TEMPLATE_DATABASE = 'app_template';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export async function startTestPostgres(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'social-tasks-pg-'));
  const postgres = await startEmbeddedPostgres({ dataDir, port: await freePort(), persistent: false });
  await postgres.createDatabase(TEMPLATE_DATABASE);
  await applyMigrations(postgres.url(TEMPLATE_DATABASE), join(process.cwd(), 'prisma', 'migrations'));
  process.env.TEST_PG_BASE_URL = postgres.adminUrl.replace(/\/postgres$/, '');
  (globalThis as { __testPostgres?: unknown }).__testPostgres = postgres;
}
