// Temporal's two databases (persistence and SQL visibility) for the real server, in a PostgreSQL we
// are given (the embedded one, or TEMPORAL_DATABASE_URL). A database this module creates is marked
// with a comment; a database of that name without our mark is someone else's and is never touched.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import type { TemporalServerInstall } from './temporal-server-install.js';

const run = promisify(execFile);

/** The comment on every database this launcher created (and so may set up and upgrade). */
export const OWNED_DATABASE_COMMENT = 'social-tasks: created by the Temporal cluster launcher (src/dev)';

export interface PostgresTarget {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
}

export interface TemporalDatabaseNames {
  readonly persistence: string;
  readonly visibility: string;
}

export const DEFAULT_TEMPORAL_DATABASES: TemporalDatabaseNames = { persistence: 'temporal', visibility: 'temporal_visibility' };

/** Host, port, user and password of a postgresql:// URL (its database part is ignored). */
export function postgresTarget(url: string): PostgresTarget {
  const parsed = new URL(url);
  if (parsed.protocol !== 'postgresql:' && parsed.protocol !== 'postgres:') throw new Error('TEMPORAL_DATABASE_URL must be a postgresql:// URL');
  return {
    host: parsed.hostname || '127.0.0.1',
    port: Number(parsed.port || 5432),
    user: decodeURIComponent(parsed.username || 'postgres'),
    password: decodeURIComponent(parsed.password),
  };
}

function urlOf(target: PostgresTarget, database: string): string {
  return `postgresql://${encodeURIComponent(target.user)}:${encodeURIComponent(target.password)}@${target.host}:${target.port}/${database}`;
}

async function withClient<T>(target: PostgresTarget, database: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: urlOf(target, database), connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Creates `name` (marked as ours) when it does not exist; accepts it when it carries our mark;
 * throws when it exists without it. Returns whether it was created now.
 */
export async function claimDatabase(target: PostgresTarget, name: string): Promise<'created' | 'ours'> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain database name: ${name}`);
  return withClient(target, 'postgres', async (client) => {
    const found = await client.query<{ comment: string | null }>(
      `SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = $1`,
      [name],
    );
    if (found.rows.length > 0) {
      if (found.rows[0]!.comment === OWNED_DATABASE_COMMENT) return 'ours';
      throw new Error(
        `database "${name}" already exists on ${target.host}:${target.port} and was not created by this launcher: refusing to touch it`,
      );
    }
    await client.query(`CREATE DATABASE "${name}"`);
    await client.query(`COMMENT ON DATABASE "${name}" IS '${OWNED_DATABASE_COMMENT}'`);
    return 'created';
  });
}

/** Sets up (first time) and upgrades (always; a no-op when current) a schema with the schema tool. */
async function applySchema(install: TemporalServerInstall, target: PostgresTarget, database: string, versionedDir: string): Promise<void> {
  const hasSchema = await withClient(target, database, async (client) => {
    const result = await client.query<{ table: string | null }>(`SELECT to_regclass('public.schema_version')::text AS table`);
    return result.rows[0]?.table != null;
  });
  const base = ['--plugin', 'postgres12', '--ep', target.host, '-p', String(target.port), '-u', target.user, '--db', database];
  // The password goes through the environment, not the command line (visible in ps).
  const env = { ...process.env, SQL_PASSWORD: target.password };
  try {
    if (!hasSchema) await run(install.sqlTool, [...base, 'setup-schema', '-v', '0.0'], { env });
    await run(install.sqlTool, [...base, 'update-schema', '-d', versionedDir], { env });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`the Temporal schema tool failed on database "${database}": ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
  }
}

/** Both databases created (or found marked as ours) and their schemas current. */
export async function prepareTemporalDatabases(
  install: TemporalServerInstall,
  target: PostgresTarget,
  names: TemporalDatabaseNames = DEFAULT_TEMPORAL_DATABASES,
): Promise<void> {
  await claimDatabase(target, names.persistence);
  await claimDatabase(target, names.visibility);
  await applySchema(install, target, names.persistence, install.persistenceSchema);
  await applySchema(install, target, names.visibility, install.visibilitySchema);
}
