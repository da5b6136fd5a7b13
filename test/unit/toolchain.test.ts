// Proves the module format and transform work together: ESM + @swc/jest, got (ESM-only), Prisma 7
// over the pg adapter, and Temporal's workflow bundler on the time-skipping server.
import { Worker } from '@temporalio/worker';
import { fileURLToPath } from 'node:url';
import { createTestDatabase } from '../support/database.js';
import { startFakeHttpServer } from '../support/fake-http-server.js';
import { createTimeSkippingEnv } from '../support/temporal.js';
import * as activities from '../support/smoke/activities.js';

test('a bundled workflow sleeps in skipped time and calls an ESM HTTP client', async () => {
  const fake = await startFakeHttpServer(() => ({ body: 'hello' }));
  const env = await createTimeSkippingEnv();
  try {
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'smoke',
      workflowsPath: fileURLToPath(new URL('../support/smoke/workflows.ts', import.meta.url)),
      activities,
    });
    const started = await env.currentTimeMs();
    const result = await worker.runUntil(
      env.client.workflow.execute('smokeWorkflow', { taskQueue: 'smoke', workflowId: 'smoke-1', args: [fake.url] }),
    );
    expect(result).toBe('hello');
    expect((await env.currentTimeMs()) - started).toBeGreaterThanOrEqual(5 * 60_000);
  } finally {
    await env.teardown();
    await fake.close();
  }
});

test('the Prisma client reads and writes the migrated database', async () => {
  const database = await createTestDatabase();
  try {
    const tenant = await database.db.tenant.create({ data: { name: 'Acme', slug: 'acme' } });
    expect(tenant.timezone).toBe('UTC');
    const rows = await database.query<{ slug: string }>('SELECT slug FROM "Tenant"');
    expect(rows).toEqual([{ slug: 'acme' }]);
  } finally {
    await database.close();
  }
});
