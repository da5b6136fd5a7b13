// The cluster launcher (TEMPORAL_TOPOLOGY=cluster) creates Temporal's databases in a PostgreSQL it is
// given, and never touches one it did not create: a database of the same name without its mark is
// refused before anything is done to it.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { claimDatabase, OWNED_DATABASE_COMMENT, postgresTarget } from '../../src/dev/temporal-cluster-databases.js';

const base = () => process.env.TEST_PG_BASE_URL!;
const target = () => postgresTarget(base());

async function query<T extends pg.QueryResultRow>(database: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: `${base()}/${database}` });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

test('creates a missing database with its mark, and accepts it as its own the next time', async () => {
  const name = `temporal_${randomBytes(4).toString('hex')}`;
  expect(await claimDatabase(target(), name)).toBe('created');
  const [row] = await query<{ comment: string }>(
    'postgres',
    `SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = $1`,
    [name],
  );
  expect(row?.comment).toBe(OWNED_DATABASE_COMMENT);
  expect(await claimDatabase(target(), name)).toBe('ours');
});

test('refuses a database of that name it did not create, and leaves it as it was', async () => {
  const name = `temporal_${randomBytes(4).toString('hex')}`;
  await query('postgres', `CREATE DATABASE "${name}"`);
  await query(name, 'CREATE TABLE precious (id int)');
  await query(name, 'INSERT INTO precious VALUES (1), (2)');

  await expect(claimDatabase(target(), name)).rejects.toThrow(/already exists .* not created by this launcher/);

  expect(await query(name, 'SELECT count(*)::int AS n FROM precious')).toEqual([{ n: 2 }]);
  const [row] = await query<{ comment: string | null }>(
    'postgres',
    `SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = $1`,
    [name],
  );
  expect(row?.comment).toBeNull();
});

test('takes host, port, user and password from TEMPORAL_DATABASE_URL, whatever database it names', () => {
  expect(postgresTarget('postgresql://temporal:s%40cret@db.internal:6543/anything')).toEqual({
    host: 'db.internal',
    port: 6543,
    user: 'temporal',
    password: 's@cret',
  });
  expect(() => postgresTarget('mysql://root@localhost/temporal')).toThrow(/postgresql:\/\//);
});
