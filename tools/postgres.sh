#!/usr/bin/env bash
# Make sure a local PostgreSQL (Debian's package) is running and has a campus test
# database, then write its URL to .campus/postgres.env for the test suite.
#   tools/postgres.sh ensure
set -euo pipefail
cd "$(dirname "$0")/.."
[ "${1:-}" = ensure ] || { echo "usage: tools/postgres.sh ensure" >&2; exit 2; }

as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi; }

cluster=$(pg_lsclusters --no-header | awk 'NR==1 {print $1" "$2}')
if [ -z "$cluster" ]; then
  version=$(ls /usr/lib/postgresql | sort -V | tail -1)
  pg_createcluster "$version" main >/dev/null
  cluster="$version main"
fi
set -- $cluster
if ! pg_lsclusters --no-header | awk -v v="$1" -v n="$2" '$1==v && $2==n {print $4}' | grep -q online; then
  pg_ctlcluster "$1" "$2" start
fi
port=$(pg_lsclusters --no-header | awk -v v="$1" -v n="$2" '$1==v && $2==n {print $3}')

password=campus-test
as_postgres psql -p "$port" -qtAc "SELECT 1 FROM pg_roles WHERE rolname='campus'" | grep -q 1 \
  || as_postgres psql -p "$port" -qc "CREATE ROLE campus LOGIN CREATEDB PASSWORD '$password'"
as_postgres psql -p "$port" -qtAc "SELECT 1 FROM pg_database WHERE datname='campus_test'" | grep -q 1 \
  || as_postgres psql -p "$port" -qc "CREATE DATABASE campus_test OWNER campus"

mkdir -p .campus
echo "CAMPUS_TEST_PG_URL=postgresql+psycopg://campus:$password@127.0.0.1:$port/campus_test" > .campus/postgres.env
echo "PostgreSQL $1/$2 on port $port: database campus_test ready"
