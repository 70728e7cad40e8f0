#!/usr/bin/env bash
# Measures the email log with many messages, from a second process (wrk).
#
#   benches/maillog.sh [sqlite|postgres] [messages] [seconds]
#
# Builds the release binary, fills a fresh database with `einlass dev seed
# --mails N` (every kind and state, one message every 13 s back from now),
# starts Einlass, signs in, and runs wrk (2 threads, 16 connections) against:
# the first page, a page deep in the keyset, a status filter, a kind and
# date filter, and the recipient search for one person and for a part many
# addresses share.
# PostgreSQL: EINLASS_BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres);
# the database einlass_bench is dropped and recreated.
set -euo pipefail
cd "$(dirname "$0")/.."

BACKEND=${1:-sqlite}
MAILS=${2:-200000}
SECONDS_PER_RUN=${3:-15}
PORT=${EINLASS_BENCH_PORT:-18091}
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
        URL="${SERVER_URL%/*}/einlass_bench?sslmode=disable" ;;
    *) echo "backend: sqlite or postgres" >&2; exit 2 ;;
esac

export EINLASS_DATABASE_URL="$URL" EINLASS_BIND="127.0.0.1:$PORT" EINLASS_LOG=warn
"$BIN" migrate >/dev/null
"$BIN" dev seed --users 0 --mails "$MAILS"
if [ "$BACKEND" = postgres ]; then
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

# A page deep in the log: the cursor of a message about 150,000 back.
DEEP=$(( MAILS * 3 / 4 ))
DAY=$(date -u -d '10 days ago' +%Y-%m-%d)

echo "# $BACKEND, $MAILS messages, $(date -u +%Y-%m-%d), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
for scenario in \
    "first page|/mail/log" \
    "deep page (keyset)|/mail/log?before=$DEEP" \
    "filter by status (fehlgeschlagen, 3 %)|/mail/log?status=fehlgeschlagen" \
    "filter by kind and day|/mail/log?kind=reminder&from=$DAY&until=$DAY" \
    "recipient search, one person|/mail/log?recipient=person123457%40" \
    "recipient search, part of many|/mail/log?recipient=beispiel-firma"; do
    name=${scenario%%|*}
    path=${scenario#*|}
    rows=$(curl -s -b "einlass_session=$SESSION" "$BASE$path" | grep -c 'data-message=' || true)
    echo "## $name ($path): $rows rows"
    wrk -t2 -c16 -d"${SECONDS_PER_RUN}s" --latency -H "Cookie: einlass_session=$SESSION" "$BASE$path" |
        grep -E 'Latency|50%|90%|99%|Requests/sec|Non-2xx|Socket errors'
done
