// The consent migration on a database that already has end users: they stay reachable, recorded as
// opted in (when they were registered) with the source `before-consent-records`; tenants require an
// opt-in from then on.
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { applyMigrations } from '../../src/db/migrate.js';
import { createEmptyDatabase } from '../support/database.js';

const MIGRATIONS_DIR = join(fileURLToPath(new URL('../..', import.meta.url)), 'prisma', 'migrations');
const CONSENT_MIGRATION = '20261204130000_end_user_whatsapp_consent';

test('end users registered before consent was recorded are migrated as opted in with source before-consent-records', async () => {
  const { url } = await createEmptyDatabase();
  const before = await mkdtemp(join(tmpdir(), 'migrations-before-consent-'));
  const client = new pg.Client({ connectionString: url });
  try {
    for (const entry of await readdir(MIGRATIONS_DIR, { withFileTypes: true })) {
      if (!entry.isDirectory() && entry.name !== 'migration_lock.toml') continue;
      if (entry.isDirectory() && entry.name >= CONSENT_MIGRATION) continue;
      await cp(join(MIGRATIONS_DIR, entry.name), join(before, entry.name), { recursive: true });
    }
    await applyMigrations(url, before);
    await client.connect();
    await client.query(`INSERT INTO "Tenant" ("id", "name", "slug", "updatedAt") VALUES ('t1', 'Old', 'old', now())`);
    await client.query(
      `INSERT INTO "EndUser" ("id", "tenantId", "name", "phone", "createdAt", "updatedAt") VALUES ('u1', 't1', 'Ana', '+51911111111', '2026-01-02T03:04:05Z', now())`,
    );

    await applyMigrations(url, MIGRATIONS_DIR);

    const { rows } = await client.query(
      `SELECT "whatsappOptInAt" = "createdAt" AS "optedInWhenRegistered", "whatsappOptInSource", "whatsappOptedOutAt" FROM "EndUser" WHERE "id" = 'u1'`,
    );
    expect(rows[0]).toEqual({ optedInWhenRegistered: true, whatsappOptInSource: 'before-consent-records', whatsappOptedOutAt: null });
    const tenant = await client.query(`SELECT "requireWhatsappOptIn", "whatsappOptOutKeywords" FROM "Tenant" WHERE "id" = 't1'`);
    expect(tenant.rows[0]).toEqual({ requireWhatsappOptIn: true, whatsappOptOutKeywords: ['STOP', 'UNSUBSCRIBE', 'PARAR', 'ALTO'] });
  } finally {
    await client.end().catch(() => undefined);
    await rm(before, { recursive: true, force: true });
  }
});
