#!/usr/bin/env bash
# Every benchmark, on SQLite and on PostgreSQL; figures printed and written to bench/results/.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${VENV:-.venv}/bin
PG=${LITSO_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432}

fresh_sqlite() { local d; d=$(mktemp -d); echo "$d"; }
fresh_pg() {
  dropdb -h 127.0.0.1 -U postgres --if-exists "$1" >/dev/null 2>&1 || true
  createdb -h 127.0.0.1 -U postgres "$1"
  echo "$PG/$1"
}

d=$(fresh_sqlite); LITSO_DATA_DIR=$d "$BIN/python" bench/actions.py; rm -rf "$d"
url=$(fresh_pg litso_bench); DATABASE_URL=$url "$BIN/python" bench/actions.py
d=$(fresh_sqlite); LITSO_DATA_DIR=$d "$BIN/python" bench/seed.py 100000; rm -rf "$d"
url=$(fresh_pg litso_bench); DATABASE_URL=$url "$BIN/python" bench/seed.py 100000
dropdb -h 127.0.0.1 -U postgres --if-exists litso_bench
"$BIN/python" bench/memory.py --with-demo
[ -f bench/sla.py ] && "$BIN/python" bench/sla.py
[ -f bench/mail_eval.py ] && "$BIN/python" bench/mail_eval.py
exit 0
