#!/bin/sh
# Creates or upgrades Temporal's two PostgreSQL databases with the admin-tools image's own temporal-sql-tool
# and the schema files that ship in that image. Safe to run again: `create` of an existing database fails
# harmlessly (|| true) and `update-schema` applies only the versions not yet applied.
set -eu
: "${POSTGRES_SEEDS:?}" "${POSTGRES_USER:?}" "${POSTGRES_PASSWORD_FILE:?}"
SQL_PASSWORD="$(cat "$POSTGRES_PASSWORD_FILE")"
export SQL_PASSWORD
port="${DB_PORT:-5432}"
schema=/etc/temporal/schema/postgresql/v12

until nc -z -w 5 "$POSTGRES_SEEDS" "$port"; do echo 'waiting for PostgreSQL'; sleep 2; done

for db in temporal temporal_visibility; do
  case "$db" in temporal) dir="$schema/temporal/versioned" ;; *) dir="$schema/visibility/versioned" ;; esac
  tool="temporal-sql-tool --plugin postgres12 --ep $POSTGRES_SEEDS -u $POSTGRES_USER -p $port --db $db"
  $tool create || true
  $tool setup-schema -v 0.0 || true # records version 0.0 the first time; refused once it is there
  $tool update-schema -d "$dir"
done
echo 'Temporal schema is up to date.'
