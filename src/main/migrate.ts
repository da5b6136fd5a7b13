// `npm run db:migrate`: applies pending migrations in prisma/migrations to DATABASE_URL. It reads
// only DATABASE_URL (not the whole app config), so the one-shot migrate job needs no app secrets.
import { fileURLToPath } from 'node:url';
import { applyMigrations } from '../db/migrate.js';

// Relative to this file, not the cwd: the command works from any directory and in the image.
const MIGRATIONS_DIR = fileURLToPath(new URL('../../prisma/migrations', import.meta.url));

async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL?.trim();
  if (!databaseUrl) {
    throw new Error('DATABASE_URL is required: the PostgreSQL URL to migrate, e.g. postgresql://user:password@host:5432/app');
  }
  const { applied } = await applyMigrations(databaseUrl, MIGRATIONS_DIR, (line) => console.log(line));
  console.log(applied.length === 0 ? 'No pending migrations: the database is up to date.' : `Applied ${applied.length} migration(s).`);
}

main().catch((error: unknown) => {
  // The message is what an operator needs (which migration, what PostgreSQL said); no stack.
  console.error(`db:migrate failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
