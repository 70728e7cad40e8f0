#!/usr/bin/env bash
# Measures the admin pages while 16 clients hammer the sign-in form with
# wrong passwords (every attempt a bcrypt check at the default cost 12).
#
#   benches/signin_flood.sh [sqlite|postgres] [users] [seconds]
#
# Builds the release binary, fills a fresh database with `einlass dev seed`,
# starts Einlass behind a "trusted proxy" (so the flood can come from many
# addresses and no rate limit stops it), signs an admin in, and runs with wrk:
#   1. the user list alone (4 connections),
#   2. the flood alone (16 connections),
#   3. the user list while the flood runs.
# PostgreSQL: EINLASS_BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres);
# the database einlass_bench is dropped and recreated.
set -euo pipefail
cd "$(dirname "$0")/.."

BACKEND=${1:-sqlite}
USERS=${2:-100000}
SECONDS_PER_RUN=${3:-15}
PORT=${EINLASS_BENCH_PORT:-18091}
BASE="http://127.0.0.1:$PORT"
WORK=$(mktemp -d)
trap 'kill "${SERVER:-0}" "${FLOOD:-0}" 2>/dev/null || true; rm -rf "$WORK"' EXIT

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
cargo build --release --quiet
BIN=target/release/einlass

case "$BACKEND" in
    sqlite) URL="sqlite://$WORK/bench.sqlite3" ;;
    postgres)
        SERVER_URL=${EINLASS_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
        psql "$SERVER_URL" -qc "DROP DATABASE IF EXISTS einlass_bench WITH (FORCE)" -c "CREATE DATABASE einlass_bench"
        URL="${SERVER_URL%/*}/einlass_bench?sslmode=disable" ;;
    *) echo "backend: sqlite or postgres" >&2; exit 2 ;;
esac

export EINLASS_DATABASE_URL="$URL" EINLASS_BIND="127.0.0.1:$PORT" EINLASS_LOG=error
export EINLASS_TRUSTED_PROXIES=127.0.0.1
"$BIN" migrate >/dev/null
"$BIN" dev seed --users "$USERS"
echo "bench-password-1" | "$BIN" admin create --username bench --password-stdin >/dev/null

"$BIN" serve 2>"$WORK/server.log" &
SERVER=$!
for _ in $(seq 1 100); do "$BIN" healthcheck >/dev/null 2>&1 && break; sleep 0.1; done

csrf_of() { grep -o 'name="csrf" value="[0-9a-f]*"' | head -1 | sed 's/.*value="//; s/"//'; }

# The admin.
JAR="$WORK/admin"
TOKEN=$(curl -s -c "$JAR" -b "$JAR" "$BASE/login" | csrf_of)
curl -s -c "$JAR" -b "$JAR" -o /dev/null --data "csrf=$TOKEN&identifier=bench&password=bench-password-1" "$BASE/login"
SESSION=$(awk '$6 == "einlass_session" { print $7 }' "$JAR")
[ -n "$SESSION" ] || { echo "sign-in failed" >&2; exit 1; }

# The attackers: one anonymous browser's CSRF cookie and token.
AJAR="$WORK/attacker"
ATOKEN=$(curl -s -c "$AJAR" "$BASE/login" | csrf_of)
ACOOKIE="einlass_csrf=$(awk '$6 == "einlass_csrf" { print $7 }' "$AJAR")"

report() { grep -E 'Latency|50%|90%|99%|Requests/sec|Non-2xx|Socket errors|timeout'; }

echo "# $BACKEND, $USERS users, $(date -u +%Y-%m-%d), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "## 1. user list alone (/users, 4 connections)"
wrk -t1 -c4 -d"${SECONDS_PER_RUN}s" --latency -H "Cookie: einlass_session=$SESSION" "$BASE/users" | report
echo "## 2. sign-in flood alone (16 connections, every attempt a bcrypt at cost 12)"
wrk -t2 -c16 -d"${SECONDS_PER_RUN}s" --latency -s benches/signin_flood.lua "$BASE/login" -- "$ATOKEN" "$ACOOKIE" | report
echo "## 3. user list during the flood"
wrk -t2 -c16 -d"$((SECONDS_PER_RUN + 4))s" --latency -s benches/signin_flood.lua "$BASE/login" -- "$ATOKEN" "$ACOOKIE" >"$WORK/flood.txt" &
FLOOD=$!
sleep 2
wrk -t1 -c4 -d"${SECONDS_PER_RUN}s" --latency -H "Cookie: einlass_session=$SESSION" "$BASE/users" | report
wait "$FLOOD" || true
echo "## 3b. the flood meanwhile"
report <"$WORK/flood.txt"
