#!/bin/sh
# One-shot job (temporalio/admin-tools image): installs or upgrades Temporal's schema in its two
# PostgreSQL databases. Both databases are created by the temporal-postgresql container on first
# start (POSTGRES_DB and deploy/temporal/create-visibility-db.sql), because `temporal-sql-tool create`
# fails when the database exists. `setup-schema -v 0.0` skips a database already past 0.0 and
# `update-schema` applies only newer versions, so this job is safe to re-run on every `up`.
set -eu

: "${POSTGRES_SEEDS:?}" "${POSTGRES_USER:?}" "${SQL_PASSWORD:?}"
DB_PORT="${DB_PORT:-5432}"
SCHEMA_ROOT=/etc/temporal/schema/postgresql/v12

attempt=0
until nc -z -w 5 "$POSTGRES_SEEDS" "$DB_PORT"; do
  attempt=$((attempt + 1))
  if [ "$attempt" -ge 30 ]; then
    echo "PostgreSQL at $POSTGRES_SEEDS:$DB_PORT is not reachable" >&2
    exit 1
  fi
  sleep 2
done

sql_tool() {
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$DB_PORT" -u "$POSTGRES_USER" "$@"
}

for pair in temporal:temporal temporal_visibility:visibility; do
  database=${pair%%:*}
  schema=${pair#*:}
  echo "Temporal schema: $database"
  sql_tool --db "$database" setup-schema -v 0.0
  sql_tool --db "$database" update-schema -d "$SCHEMA_ROOT/$schema/versioned"
done
echo 'Temporal schema is up to date'
