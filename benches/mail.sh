#!/usr/bin/env bash
# The invitation benchmark: "Alle neu angelegten Benutzer einladen" for N new
# users (request time over HTTP), then the mail worker's delivery rate to a
# loopback SMTP sink that accepts everything, beside the floor: a bare lettre
# loop sending N prepared messages to the same sink with the same pool.
# The program is examples/bench_mail.rs.
#
#   benches/mail.sh [sqlite|postgres] [users] [pool] [quickack|delayed-ack]
#
# PostgreSQL: EINLASS_BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres);
# the database einlass_bench is dropped and recreated.
set -euo pipefail
cd "$(dirname "$0")/.."

BACKEND=${1:-sqlite}
USERS=${2:-10000}
POOL=${3:-4}
SINK=${4:-quickack}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

case "$BACKEND" in
    sqlite) URL="sqlite://$WORK/bench.sqlite3" ;;
    postgres)
        SERVER_URL=${EINLASS_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
        psql "$SERVER_URL" -qc "DROP DATABASE IF EXISTS einlass_bench WITH (FORCE)" -c "CREATE DATABASE einlass_bench"
        URL="${SERVER_URL%/*}/einlass_bench?sslmode=disable" ;;
    *) echo "backend: sqlite or postgres" >&2; exit 2 ;;
esac

cargo build --release --quiet --example bench_mail
target/release/examples/bench_mail "$URL" "$USERS" "$POOL" "$SINK"
