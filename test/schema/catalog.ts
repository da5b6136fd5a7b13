// Describes a PostgreSQL schema as facts read from the system catalog, in PostgreSQL's own
// canonical spelling (format_type, pg_get_expr), so two databases built by different DDL text
// compare equal exactly when they are the same schema. A fact is `key → description`: the key
// names the object (`column "Tenant"."slug"`), the description is everything that must match.
import type pg from 'pg';

export type Facts = Map<string, string>;

export interface Difference {
  readonly kind: 'missing' | 'unexpected' | 'different';
  readonly key: string;
  /** What the schema file says (absent for `unexpected`). */
  readonly expected?: string;
  /** What the database has (absent for `missing`). */
  readonly actual?: string;
}

type Queryable = Pick<pg.Client, 'query'>;

const ident = (name: string | null): string => (name === null ? '(expression)' : `"${name}"`);
const list = (names: readonly (string | null)[]): string => names.map(ident).join(', ');

const RELATION_KINDS: Record<string, string> = {
  r: 'table',
  p: 'partitioned table',
  v: 'view',
  m: 'materialized view',
  f: 'foreign table',
};

const REFERENTIAL_ACTIONS: Record<string, string> = {
  a: 'NO ACTION',
  r: 'RESTRICT',
  c: 'CASCADE',
  n: 'SET NULL',
  d: 'SET DEFAULT',
};

/**
 * Every table, column, enum, index, primary key, foreign key and check/exclusion/trigger constraint
 * of `schema`, except those of `ignoreTables` (e.g. `_prisma_migrations`).
 */
export async function readSchemaFacts(client: Queryable, options: { schema?: string; ignoreTables?: readonly string[] } = {}): Promise<Facts> {
  const schema = options.schema ?? 'public';
  const ignored = new Set(options.ignoreTables ?? []);
  const facts: Facts = new Map();
  const add = (key: string, description: string): void => {
    if (facts.has(key)) throw new Error(`two catalog objects describe as ${key}`);
    facts.set(key, description);
  };

  // format_type and pg_get_expr qualify names that are not on the search path: put the inspected
  // schema alone on it (restored afterwards, and rolled back with any surrounding transaction).
  const {
    rows: [previous],
  } = await client.query<{ path: string }>('SELECT current_setting($1) AS path', ['search_path']);
  await client.query('SELECT set_config($1, $2, false)', ['search_path', `"${schema}"`]);
  try {
    const relations = await client.query<{ name: string; kind: string }>(
      `SELECT c.relname AS name, c.relkind::text AS kind
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f')`,
      [schema],
    );
    for (const row of relations.rows) {
      if (!ignored.has(row.name)) add(`table "${row.name}"`, RELATION_KINDS[row.kind] ?? row.kind);
    }

    const columns = await client.query<{
      table: string;
      column: string;
      type: string;
      not_null: boolean;
      default: string | null;
      identity: string;
      generated: string;
    }>(
      `SELECT c.relname AS table, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type,
              a.attnotnull AS not_null, pg_get_expr(d.adbin, d.adrelid) AS default,
              a.attidentity::text AS identity, a.attgenerated::text AS generated
         FROM pg_attribute a
         JOIN pg_class c ON c.oid = a.attrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
         LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND a.attnum > 0 AND NOT a.attisdropped`,
      [schema],
    );
    for (const row of columns.rows) {
      if (ignored.has(row.table)) continue;
      let description = `${row.type} ${row.not_null ? 'NOT NULL' : 'NULL'}`;
      if (row.generated) description += ` GENERATED ALWAYS AS (${row.default}) STORED`;
      else if (row.default !== null) description += ` DEFAULT ${row.default}`;
      if (row.identity) description += ` GENERATED ${row.identity === 'a' ? 'ALWAYS' : 'BY DEFAULT'} AS IDENTITY`;
      add(`column "${row.table}"."${row.column}"`, description);
    }

    const enums = await client.query<{ name: string; labels: string[] }>(
      `SELECT t.typname AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels
         FROM pg_type t
         JOIN pg_namespace n ON n.oid = t.typnamespace
         JOIN pg_enum e ON e.enumtypid = t.oid
        WHERE n.nspname = $1
        GROUP BY t.typname`,
      [schema],
    );
    for (const row of enums.rows) add(`enum "${row.name}"`, row.labels.map((label) => `'${label}'`).join(', '));

    const indexes = await client.query<{
      name: string;
      table: string;
      unique: boolean;
      primary: boolean;
      method: string;
      predicate: string | null;
      backs_unique_constraint: boolean;
      key_count: number;
      columns: (string | null)[];
      options: number[];
    }>(
      `SELECT ic.relname AS name, tc.relname AS table, i.indisunique AS unique, i.indisprimary AS primary,
              am.amname AS method, pg_get_expr(i.indpred, i.indrelid) AS predicate,
              EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid AND con.contype = 'u')
                AS backs_unique_constraint,
              i.indnkeyatts AS key_count,
              (SELECT array_agg(a.attname::text ORDER BY k.ord)
                 FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
                 LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum) AS columns,
              i.indoption::int2[] AS options
         FROM pg_index i
         JOIN pg_class ic ON ic.oid = i.indexrelid
         JOIN pg_class tc ON tc.oid = i.indrelid
         JOIN pg_namespace n ON n.oid = tc.relnamespace
         JOIN pg_am am ON am.oid = ic.relam
        WHERE n.nspname = $1`,
      [schema],
    );
    for (const row of indexes.rows) {
      if (ignored.has(row.table)) continue;
      const keyParts = row.columns.slice(0, row.key_count).map((column, position) => {
        const option = row.options[position] ?? 0;
        const descending = (option & 1) === 1;
        const nullsFirst = (option & 2) === 2;
        // PostgreSQL's default null ordering is NULLS LAST for ASC and NULLS FIRST for DESC.
        const nulls = !descending && nullsFirst ? ' NULLS FIRST' : descending && !nullsFirst ? ' NULLS LAST' : '';
        return `${ident(column)}${descending ? ' DESC' : ''}${nulls}`;
      });
      const included = row.columns.slice(row.key_count);
      const tail = (included.length > 0 ? ` INCLUDE (${list(included)})` : '') + (row.predicate ? ` WHERE ${row.predicate}` : '');
      if (row.primary) {
        add(`primary key of "${row.table}"`, `"${row.name}" USING ${row.method} (${keyParts.join(', ')})${tail}`);
        continue;
      }
      const kind = row.backs_unique_constraint ? 'UNIQUE CONSTRAINT' : row.unique ? 'UNIQUE INDEX' : 'INDEX';
      add(`index "${row.name}"`, `${kind} ON "${row.table}" USING ${row.method} (${keyParts.join(', ')})${tail}`);
    }

    const constraints = await client.query<{
      name: string;
      type: string;
      table: string;
      ref_table: string | null;
      columns: string[] | null;
      ref_columns: string[] | null;
      on_update: string;
      on_delete: string;
      deferrable: boolean;
      definition: string;
    }>(
      `SELECT con.conname AS name, con.contype::text AS type, tc.relname AS table, rc.relname AS ref_table,
              (SELECT array_agg(a.attname::text ORDER BY k.ord)
                 FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
                 JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum) AS columns,
              (SELECT array_agg(a.attname::text ORDER BY k.ord)
                 FROM unnest(con.confkey) WITH ORDINALITY AS k(attnum, ord)
                 JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum) AS ref_columns,
              con.confupdtype::text AS on_update, con.confdeltype::text AS on_delete,
              con.condeferrable AS deferrable, pg_get_constraintdef(con.oid) AS definition
         FROM pg_constraint con
         JOIN pg_class tc ON tc.oid = con.conrelid
         JOIN pg_namespace n ON n.oid = tc.relnamespace
         LEFT JOIN pg_class rc ON rc.oid = con.confrelid
        WHERE n.nspname = $1 AND con.contype IN ('f', 'c', 'x', 't')`,
      [schema],
    );
    for (const row of constraints.rows) {
      if (ignored.has(row.table)) continue;
      if (row.type === 'f') {
        add(
          `foreign key "${row.table}"(${list(row.columns ?? [])})`,
          `"${row.name}" REFERENCES "${row.ref_table}"(${list(row.ref_columns ?? [])}) ` +
            `ON DELETE ${REFERENTIAL_ACTIONS[row.on_delete]} ON UPDATE ${REFERENTIAL_ACTIONS[row.on_update]}` +
            (row.deferrable ? ' DEFERRABLE' : ''),
        );
      } else {
        const kind = { c: 'check', x: 'exclusion', t: 'trigger' }[row.type] ?? row.type;
        add(`${kind} constraint "${row.table}"."${row.name}"`, row.definition);
      }
    }

    const triggers = await client.query<{ name: string; table: string; definition: string }>(
      `SELECT t.tgname AS name, c.relname AS table, pg_get_triggerdef(t.oid) AS definition
         FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND NOT t.tgisinternal`,
      [schema],
    );
    for (const row of triggers.rows) {
      if (!ignored.has(row.table)) add(`trigger "${row.table}"."${row.name}"`, row.definition);
    }
  } finally {
    await client.query('SELECT set_config($1, $2, false)', ['search_path', previous?.path ?? '"$user", public']);
  }
  return facts;
}

export function compareFacts(expected: Facts, actual: Facts): Difference[] {
  const differences: Difference[] = [];
  for (const [key, description] of expected) {
    const found = actual.get(key);
    if (found === undefined) differences.push({ kind: 'missing', key, expected: description });
    else if (found !== description) differences.push({ kind: 'different', key, expected: description, actual: found });
  }
  for (const [key, description] of actual) {
    if (!expected.has(key)) differences.push({ kind: 'unexpected', key, actual: description });
  }
  return differences.sort((a, b) => a.key.localeCompare(b.key) || a.kind.localeCompare(b.kind));
}

export function formatDifferences(differences: readonly Difference[]): string {
  return differences
    .map((difference) => {
      switch (difference.kind) {
        case 'missing':
          return `missing from the database: ${difference.key}: ${difference.expected}`;
        case 'unexpected':
          return `in the database but not in schema.prisma: ${difference.key}: ${difference.actual}`;
        default: // 'different'
          return `${difference.key}\n      schema.prisma: ${difference.expected}\n      database:      ${difference.actual}`;
      }
    })
    .map((line) => `  - ${line}`)
    .join('\n');
}
