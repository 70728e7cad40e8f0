#!/usr/bin/env bash
# Measures the user list with many users, from a second process (wrk).
#
#   benches/userlist.sh [sqlite|postgres] [users] [seconds]
#
# Builds the release binary, fills a fresh database with `einlass dev seed`,
# starts Einlass, signs in, and runs wrk (2 threads, 16 connections) against:
# the first page, a deep page by number and by its keyset link, the last page,
# a search by part of an email, a search for a name as the list shows it, a
# status filter, and the invitation delivery filter (common and rare states).
# PostgreSQL: EINLASS_BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres);
# the database einlass_bench is dropped and recreated.
set -euo pipefail
cd "$(dirname "$0")/.."

BACKEND=${1:-sqlite}
USERS=${2:-100000}
SECONDS_PER_RUN=${3:-15}
PORT=${EINLASS_BENCH_PORT:-18090}
BASE="http://127.0.0.1:$PORT"
WORK=$(mktemp -d)
trap 'kill "${SERVER:-0}" 2>/dev/null || true; rm -rf "$WORK"' EXIT

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
cargo build --release --quiet
BIN=target/release/einlass

case "$BACKEND" in
    sqlite) URL="sqlite://$WORK/bench.sqlite3" ;;
    postgres)
        SERVER_URL=${EINLASS_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
        psql "$SERVER_URL" -qc "DROP DATABASE IF EXISTS einlass_bench WITH (FORCE)" -c "CREATE DATABASE einlass_bench"
        # Loopback: no TLS between app and database (as with a local socket).
        URL="${SERVER_URL%/*}/einlass_bench?sslmode=disable" ;;
    *) echo "backend: sqlite or postgres" >&2; exit 2 ;;
esac

export EINLASS_DATABASE_URL="$URL" EINLASS_BIND="127.0.0.1:$PORT" EINLASS_LOG=warn
"$BIN" migrate >/dev/null
"$BIN" dev seed --users "$USERS"
# PostgreSQL: fold the seed's 100,000 pending per-status deltas into the
# counters (serve's fold-counts job would, within 10 s), vacuum and write
# the bulk load out now, not (autovacuum) during the first scenarios.
if [ "$BACKEND" = postgres ]; then
    "$BIN" jobs run --only fold-counts >/dev/null
    psql "${SERVER_URL%/*}/einlass_bench" -qc "VACUUM (ANALYZE)" -c CHECKPOINT
fi
echo "bench-password-1" | "$BIN" admin create --username bench --password-stdin >/dev/null

"$BIN" serve 2>"$WORK/server.log" &
SERVER=$!
for _ in $(seq 1 100); do "$BIN" healthcheck >/dev/null 2>&1 && break; sleep 0.1; done

JAR="$WORK/cookies"
TOKEN=$(curl -s -c "$JAR" -b "$JAR" "$BASE/login" | grep -o 'name="csrf" value="[0-9a-f]*"' | head -1 | sed 's/.*value="//; s/"//')
curl -s -c "$JAR" -b "$JAR" -o /dev/null --data "csrf=$TOKEN&identifier=bench&password=bench-password-1" "$BASE/login"
SESSION=$(awk '$6 == "einlass_session" { print $7 }' "$JAR")
[ -n "$SESSION" ] || { echo "sign-in failed" >&2; exit 1; }

# The keyset link a reader follows from page 1499 to 1500 ("next"): after
# the last user of page 1499.
AFTER=$(curl -s -b "einlass_session=$SESSION" "$BASE/users?page=1499" | grep -o 'class="name"><a href="/users/[0-9]*"' | tail -1 | grep -o '[0-9]*' | tail -1)
LAST=$(( (USERS + 1 + 49) / 50 ))

echo "# $BACKEND, $USERS users, $(date -u +%Y-%m-%d), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
for scenario in \
    "first page|/users" \
    "deep page by number (1500)|/users?page=1500" \
    "deep page by its next link (1500, keyset)|/users?page=1500&after=$AFTER" \
    "last page|/users?page=$LAST" \
    "search part of an email|/users?q=mueller1%40beispiel" \
    "search a name as listed|/users?q=M%C3%BCller%2C%20Anna" \
    "filter by status|/users?status=eingeladen" \
    "filter by delivery, common|/users?delivery=gesendet" \
    "filter by delivery, rare|/users?delivery=fehlgeschlagen"; do
    name=${scenario%%|*}
    path=${scenario#*|}
    body=$(curl -s -b "einlass_session=$SESSION" "$BASE$path")
    hits=$(echo "$body" | grep -o '[0-9.]* Treffer' | head -1)
    echo "## $name ($path): $hits"
    wrk -t2 -c16 -d"${SECONDS_PER_RUN}s" --latency -H "Cookie: einlass_session=$SESSION" "$BASE$path" |
        grep -E 'Latency|50%|90%|99%|Requests/sec|Non-2xx|Socket errors'
done
