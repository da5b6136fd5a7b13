// The migration applier (src/db/migrate.ts) and its entry point (`npm run db:migrate`), against real
// PostgreSQL databases created empty for each case.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { applyMigrations, MigrationError } from '../../src/db/migrate.js';
import { FORMER_MIGRATION_NAMES } from '../../src/db/migration-renames.js';
import { createEmptyDatabase } from '../support/database.js';
import { readSchemaFacts } from '../schema/catalog.js';

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MIGRATIONS_DIR = join(PROJECT_ROOT, 'prisma', 'migrations');
/** The key `prisma migrate` locks with; ours must be the same so the two exclude each other. */
const PRISMA_ADVISORY_LOCK_KEY = 72707369;

interface MigrationRow {
  id: string;
  migration_name: string;
  checksum: string;
  started_at: Date;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  logs: string | null;
  applied_steps_count: number;
}

const cleanups: (() => Promise<void>)[] = [];

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  cleanups.push(() => client.end());
  return client;
}

async function freshDatabase(): Promise<{ url: string; client: pg.Client }> {
  const { url } = await createEmptyDatabase();
  return { url, client: await connect(url) };
}

/** A migrations folder made of `{ folderName: sql }`, written in the given order. */
async function migrationsDir(migrations: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'migrations-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  for (const [name, sql] of Object.entries(migrations)) await writeMigration(dir, name, sql);
  await writeFile(join(dir, 'migration_lock.toml'), 'provider = "postgresql"\n');
  return dir;
}

async function writeMigration(dir: string, name: string, sql: string): Promise<void> {
  await mkdir(join(dir, name), { recursive: true });
  await writeFile(join(dir, name, 'migration.sql'), sql);
}

async function migrationRows(client: pg.Client): Promise<MigrationRow[]> {
  const { rows } = await client.query<MigrationRow>('SELECT * FROM "_prisma_migrations" ORDER BY started_at, migration_name');
  return rows;
}

async function tableNames(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>("SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'");
  return rows.map((row) => row.name).sort();
}

async function projectMigrations(): Promise<{ name: string; checksum: string }[]> {
  const entries = await readdir(MIGRATIONS_DIR, { withFileTypes: true });
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  return Promise.all(
    names.map(async (name) => ({
      name,
      checksum: createHash('sha256')
        .update(await readFile(join(MIGRATIONS_DIR, name, 'migration.sql')))
        .digest('hex'),
    })),
  );
}

describe('applyMigrations', () => {
  test('applies every project migration to an empty database and records it as Prisma does', async () => {
    const { url, client } = await freshDatabase();
    const expected = await projectMigrations();
    expect(expected.length).toBeGreaterThan(0);

    const logged: string[] = [];
    const result = await applyMigrations(url, MIGRATIONS_DIR, (line) => logged.push(line));

    expect(result.applied).toEqual(expected.map((migration) => migration.name));
    expect(logged).toEqual(expected.map((migration) => `applied migration ${migration.name}`));
    const rows = await migrationRows(client);
    expect(
      rows.map(({ migration_name, checksum, logs, rolled_back_at, applied_steps_count }) => ({
        migration_name,
        checksum,
        logs,
        rolled_back_at,
        applied_steps_count,
      })),
    ).toEqual(
      expected.map(({ name, checksum }) => ({
        migration_name: name,
        checksum,
        logs: null,
        rolled_back_at: null,
        applied_steps_count: 1,
      })),
    );
    for (const row of rows) {
      expect(row.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.finished_at!.getTime()).toBeGreaterThanOrEqual(row.started_at.getTime());
    }
    expect(await tableNames(client)).toEqual(expect.arrayContaining(['Tenant', 'SocialTaskCompletion', '_prisma_migrations']));
  });

  test('creates _prisma_migrations with the columns Prisma itself uses', async () => {
    const { url, client } = await freshDatabase();
    await applyMigrations(url, await migrationsDir({}));
    const facts = await readSchemaFacts(client);
    expect(Object.fromEntries([...facts].filter(([key]) => key.startsWith('column ')))).toEqual({
      'column "_prisma_migrations"."id"': 'character varying(36) NOT NULL',
      'column "_prisma_migrations"."checksum"': 'character varying(64) NOT NULL',
      'column "_prisma_migrations"."finished_at"': 'timestamp with time zone NULL',
      'column "_prisma_migrations"."migration_name"': 'character varying(255) NOT NULL',
      'column "_prisma_migrations"."logs"': 'text NULL',
      'column "_prisma_migrations"."rolled_back_at"': 'timestamp with time zone NULL',
      'column "_prisma_migrations"."started_at"': 'timestamp with time zone NOT NULL DEFAULT now()',
      'column "_prisma_migrations"."applied_steps_count"': 'integer NOT NULL DEFAULT 0',
    });
    expect(await migrationRows(client)).toEqual([]);
  });

  test('a second run applies nothing and leaves the records alone', async () => {
    const { url, client } = await freshDatabase();
    await applyMigrations(url, MIGRATIONS_DIR);
    const before = await migrationRows(client);

    const logged: string[] = [];
    expect(await applyMigrations(url, MIGRATIONS_DIR, (line) => logged.push(line))).toEqual({ applied: [] });

    expect(logged).toEqual([]);
    expect(await migrationRows(client)).toEqual(before);
  });

  test('two appliers started together apply each migration once (advisory lock)', async () => {
    const { url, client } = await freshDatabase();
    const expected = (await projectMigrations()).map((migration) => migration.name);
    // Hold Prisma's lock so both appliers are provably waiting on it at the same time.
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_ADVISORY_LOCK_KEY]);
    const runs = [applyMigrations(url, MIGRATIONS_DIR), applyMigrations(url, MIGRATIONS_DIR)];
    await waitForLockWaiters(client, 2);
    await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_ADVISORY_LOCK_KEY]);

    const results = await Promise.all(runs);

    expect(results.flatMap((result) => result.applied).sort()).toEqual(expected);
    expect(results.map((result) => result.applied.length).sort()).toEqual([0, expected.length]);
    expect((await migrationRows(client)).map((row) => row.migration_name).sort()).toEqual(expected);
  });

  test('refuses a migration that was edited after it was applied, and applies nothing after it', async () => {
    const { url, client } = await freshDatabase();
    const dir = await migrationsDir({ '20240101000000_first': 'CREATE TABLE "first" ("id" INTEGER);' });
    await applyMigrations(url, dir);
    await writeFile(join(dir, '20240101000000_first', 'migration.sql'), 'CREATE TABLE "first" ("id" BIGINT);');
    await writeMigration(dir, '20240102000000_second', 'CREATE TABLE "second" ("id" INTEGER);');

    const run = applyMigrations(url, dir);

    await expect(run).rejects.toThrow(MigrationError);
    await expect(run).rejects.toThrow(
      'migration 20240101000000_first was edited after it was applied (checksum differs); add a new migration instead',
    );
    expect(await tableNames(client)).toEqual(['_prisma_migrations', 'first']);
    expect((await migrationRows(client)).map((row) => row.migration_name)).toEqual(['20240101000000_first']);
  });

  test('a failing migration leaves no partial schema and no record; the fixed migration applies later', async () => {
    const { url, client } = await freshDatabase();
    const dir = await migrationsDir({
      '20240101000000_ok': 'CREATE TABLE "ok" ("id" INTEGER);',
      '20240102000000_broken': [
        'CREATE TYPE "Mood" AS ENUM (\'HAPPY\');',
        'CREATE TABLE "partial" ("id" INTEGER, "mood" "Mood");',
        'CREATE INDEX "partial_id_idx" ON "partial"("id");',
        'INSERT INTO "no_such_table" VALUES (1);',
      ].join('\n'),
      '20240103000000_after': 'CREATE TABLE "after" ("id" INTEGER);',
    });

    const run = applyMigrations(url, dir);

    await expect(run).rejects.toThrow(MigrationError);
    await expect(run).rejects.toThrow(/^migration 20240102000000_broken failed: relation "no_such_table" does not exist$/);
    expect(await tableNames(client)).toEqual(['_prisma_migrations', 'ok']);
    const { rows: types } = await client.query("SELECT 1 FROM pg_type WHERE typname = 'Mood'");
    expect(types).toEqual([]);
    const rows = await migrationRows(client);
    expect(rows.map((row) => [row.migration_name, row.finished_at === null])).toEqual([['20240101000000_ok', false]]);

    await writeFile(join(dir, '20240102000000_broken', 'migration.sql'), 'CREATE TABLE "partial" ("id" INTEGER);');
    expect(await applyMigrations(url, dir)).toEqual({ applied: ['20240102000000_broken', '20240103000000_after'] });
    expect(await tableNames(client)).toEqual(['_prisma_migrations', 'after', 'ok', 'partial']);
  });

  test('applies in folder-name order, whatever order the folders were created in', async () => {
    const { url, client } = await freshDatabase();
    const dir = await migrationsDir({
      '20240103000000_add_c': 'ALTER TABLE "t" ADD COLUMN "c" INTEGER;',
      '20240101000000_create_t': 'CREATE TABLE "t" ("a" INTEGER);',
      '20240102000000_add_b': 'ALTER TABLE "t" ADD COLUMN "b" INTEGER;',
    });

    const result = await applyMigrations(url, dir);

    expect(result.applied).toEqual(['20240101000000_create_t', '20240102000000_add_b', '20240103000000_add_c']);
    const { rows } = await client.query<{ name: string }>(
      `SELECT attname AS name FROM pg_attribute WHERE attrelid = '"t"'::regclass AND attnum > 0 ORDER BY attnum`,
    );
    expect(rows.map((row) => row.name)).toEqual(['a', 'b', 'c']);
    expect((await migrationRows(client)).map((row) => row.migration_name)).toEqual(result.applied);
  });

  test('refuses to continue past a migration Prisma recorded as failed, but re-applies a rolled-back one', async () => {
    const { url, client } = await freshDatabase();
    const dir = await migrationsDir({ '20240101000000_first': 'CREATE TABLE "first" ("id" INTEGER);' });
    await applyMigrations(url, dir, () => {});
    const checksum = createHash('sha256').update('CREATE TABLE "second" ("id" INTEGER);').digest('hex');
    await writeMigration(dir, '20240102000000_second', 'CREATE TABLE "second" ("id" INTEGER);');
    // What `prisma migrate deploy` leaves behind when a migration fails: a row without finished_at.
    await client.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, logs, applied_steps_count)
       VALUES ('00000000-0000-4000-8000-000000000001', $1, '20240102000000_second', 'boom', 0)`,
      [checksum],
    );

    await expect(applyMigrations(url, dir)).rejects.toThrow('migration 20240102000000_second failed earlier and needs manual resolution');
    expect(await tableNames(client)).toEqual(['_prisma_migrations', 'first']);

    // `prisma migrate resolve --rolled-back` marks it rolled back; then it is applied again.
    await client.query(`UPDATE "_prisma_migrations" SET rolled_back_at = now() WHERE migration_name = '20240102000000_second'`);
    expect(await applyMigrations(url, dir)).toEqual({ applied: ['20240102000000_second'] });
    expect(await tableNames(client)).toEqual(['_prisma_migrations', 'first', 'second']);
  });
});

/** Waits (bounded) until `count` sessions are queued on Prisma's advisory lock in this database. */
async function waitForLockWaiters(client: pg.Client, count: number): Promise<void> {
  for (let attempt = 0; attempt < 400; attempt++) {
    const { rows } = await client.query<{ waiting: number }>(
      `SELECT count(*)::int AS waiting FROM pg_locks
        WHERE locktype = 'advisory' AND NOT granted AND objid = $1
          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      [PRISMA_ADVISORY_LOCK_KEY],
    );
    if (rows[0]!.waiting >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`fewer than ${count} sessions ever waited for the migration lock`);
}

describe('npm run db:migrate (src/main/migrate.ts)', () => {
  const TSX = join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');
  const ENTRY = join(PROJECT_ROOT, 'src', 'main', 'migrate.ts');

  /** Runs the entry point from an unrelated directory, with only the given environment. */
  function runEntry(env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(TSX, [ENTRY], { cwd: tmpdir(), env: { PATH: process.env.PATH ?? '', ...env } }, (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
      });
    });
  }

  test('without DATABASE_URL it exits non-zero naming the variable', async () => {
    const result = await runEntry({});
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('DATABASE_URL is required');
    expect(result.stdout).toBe('');
  });

  test('applies the project migrations from any working directory and prints them; a rerun applies nothing', async () => {
    const { url, client } = await freshDatabase();
    const names = (await projectMigrations()).map((migration) => migration.name);

    const first = await runEntry({ DATABASE_URL: url });
    expect(first).toEqual({
      code: 0,
      stdout: [...names.map((name) => `applied migration ${name}`), `Applied ${names.length} migration(s).`, ''].join('\n'),
      stderr: '',
    });
    expect((await migrationRows(client)).map((row) => row.migration_name)).toEqual(names);

    const second = await runEntry({ DATABASE_URL: url });
    expect(second).toEqual({ code: 0, stdout: 'No pending migrations: the database is up to date.\n', stderr: '' });
  });

  test('exits non-zero with the error message when the database cannot be migrated', async () => {
    const { url } = await createEmptyDatabase();
    const missing = url.replace(/\/[^/]+$/, '/no_such_database');
    const result = await runEntry({ DATABASE_URL: missing });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('db:migrate failed: database "no_such_database" does not exist');
  });
});

test('a database that applied a migration under its former name counts it as applied under the new name', async () => {
  const { url, client } = await freshDatabase();
  const sql = 'CREATE TABLE renamed_probe (id INT);';
  await applyMigrations(url, await migrationsDir({ '20990101000000_phase2_probe': sql }));
  const renamed = await migrationsDir({ '20990101000000_probe_table': sql });

  const { applied } = await applyMigrations(url, renamed, () => {}, [['20990101000000_phase2_probe', '20990101000000_probe_table']]);

  expect(applied).toEqual([]);
  const { rows } = await client.query<{ migration_name: string }>('SELECT migration_name FROM "_prisma_migrations"');
  expect(rows.map((row) => row.migration_name)).toEqual(['20990101000000_probe_table']);
});

test('the former migration names name folders that exist', async () => {
  const folders = new Set(await readdir(MIGRATIONS_DIR));
  for (const [former, current] of FORMER_MIGRATION_NAMES) {
    expect(folders.has(current)).toBe(true);
    expect(folders.has(former)).toBe(false);
  }
});
