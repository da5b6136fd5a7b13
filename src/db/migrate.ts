// Applies prisma/migrations the way `prisma migrate deploy` does, because the Prisma schema engine
// cannot be downloaded on our machines. Each migration runs in its own transaction and is recorded
// in `_prisma_migrations` with Prisma's checksum (sha256 of migration.sql), so `prisma migrate
// deploy` elsewhere sees it as applied. Prisma's own advisory-lock key keeps two appliers (ours
// or Prisma's) from running at once.
import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { adoptFormerMigrationNames, FORMER_MIGRATION_NAMES } from './migration-renames.js';

const PRISMA_ADVISORY_LOCK_KEY = 72707369;

export interface MigrationFile {
  readonly name: string;
  readonly sql: string;
  readonly checksum: string;
}

export class MigrationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MigrationError';
  }
}

export async function readMigrations(directory: string): Promise<MigrationFile[]> {
  const entries = await readdir(directory, { withFileTypes: true });
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(join(directory, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

export async function applyMigrations(
  databaseUrl: string,
  directory: string,
  log: (line: string) => void = () => {},
  formerNames = FORMER_MIGRATION_NAMES,
): Promise<{ applied: string[] }> {
  const migrations = await readMigrations(directory);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_ADVISORY_LOCK_KEY]);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
        "id" VARCHAR(36) PRIMARY KEY NOT NULL,
        "checksum" VARCHAR(64) NOT NULL,
        "finished_at" TIMESTAMPTZ,
        "migration_name" VARCHAR(255) NOT NULL,
        "logs" TEXT,
        "rolled_back_at" TIMESTAMPTZ,
        "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
        "applied_steps_count" INTEGER NOT NULL DEFAULT 0
      )`);
      // A migration folder renamed after it was applied keeps its record (src/db/migration-renames.ts).
      await adoptFormerMigrationNames(client, formerNames);
      const { rows } = await client.query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
        'SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL',
      );
      const recorded = new Map(rows.map((row) => [row.migration_name, row]));
      const applied: string[] = [];
      for (const migration of migrations) {
        const previous = recorded.get(migration.name);
        if (previous?.finished_at) {
          if (previous.checksum !== migration.checksum) {
            throw new MigrationError(`migration ${migration.name} was edited after it was applied (checksum differs); add a new migration instead`);
          }
          continue;
        }
        if (previous) {
          throw new MigrationError(`migration ${migration.name} failed earlier and needs manual resolution`);
        }
        await applyOne(client, migration);
        applied.push(migration.name);
        log(`applied migration ${migration.name}`);
      }
      return { applied };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_ADVISORY_LOCK_KEY]);
    }
  } finally {
    await client.end();
  }
}

async function applyOne(client: pg.Client, migration: MigrationFile): Promise<void> {
  const id = randomUUID();
  await client.query('BEGIN');
  try {
    await client.query('INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at) VALUES ($1, $2, $3, now())', [
      id,
      migration.checksum,
      migration.name,
    ]);
    await client.query(migration.sql);
    await client.query('UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1', [id]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw new MigrationError(`migration ${migration.name} failed: ${(error as Error).message}`, { cause: error });
  }
}
