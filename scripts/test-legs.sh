#!/usr/bin/env bash
# The whole suite on SQLite, then on PostgreSQL.
# PostgreSQL: LITSO_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/litso).
# Unreachable PostgreSQL is a failure in CI (CI=true or LITSO_REQUIRE_POSTGRES=1) and a clearly
# reported skip for someone running `make test` on a laptop.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${VENV:-.venv}/bin
PG_URL=${LITSO_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/litso}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "== tests on SQLite"
env -u DATABASE_URL LITSO_DATA_DIR="$tmp/sqlite" "$BIN/pytest" -q -p no:cacheprovider "$@"

echo "== tests on PostgreSQL ($PG_URL)"
if ! "$BIN/python" - "$PG_URL" <<'PY'
import sys, psycopg
url = sys.argv[1].rsplit("/", 1)[0] + "/postgres"
try:
    psycopg.connect(url, connect_timeout=5).close()
except Exception as exc:
    print(f"PostgreSQL is not reachable at {url}: {str(exc).strip().splitlines()[0]}")
    sys.exit(1)
PY
then
  if [[ "${CI:-}" == "true" || "${LITSO_REQUIRE_POSTGRES:-}" == "1" ]]; then
    echo "FAIL: the PostgreSQL leg is required here (CI=true or LITSO_REQUIRE_POSTGRES=1)."
    exit 1
  fi
  echo "SKIPPED: the PostgreSQL leg did not run (start PostgreSQL or set LITSO_TEST_POSTGRES_URL)."
  exit 0
fi
DATABASE_URL="$PG_URL" LITSO_DATA_DIR="$tmp/postgres" "$BIN/pytest" -q -p no:cacheprovider "$@"
