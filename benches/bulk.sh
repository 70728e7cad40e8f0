#!/usr/bin/env bash
# Measures a bulk action of the user list over HTTP: N users `angelegt` with
# an email, an admin asks for "Einladen" on every result of the filter
# status=angelegt (the confirmation page: it counts who is affected and who
# is left out), confirms (the request that starts the task), and the task
# page is polled until the task is done (the whole job). Then the same for
# "Deaktivieren" on the now invited users.
#
#   benches/bulk.sh [sqlite|postgres] [users]
#
# PostgreSQL: EINLASS_BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres);
# the database einlass_bench is dropped and recreated.
set -euo pipefail
cd "$(dirname "$0")/.."

BACKEND=${1:-sqlite}
USERS=${2:-10000}
PORT=${EINLASS_BENCH_PORT:-18092}
BASE="http://127.0.0.1:$PORT"
WORK=$(mktemp -d)
trap 'kill "${SERVER:-0}" 2>/dev/null || true; rm -rf "$WORK"' EXIT

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

# Mail stays in the in-app mailbox; the worker is off, so only the task is timed.
export EINLASS_DATABASE_URL="$URL" EINLASS_BIND="127.0.0.1:$PORT" EINLASS_LOG=warn EINLASS_MAIL_WORKER_IN_SERVE=false
"$BIN" migrate >/dev/null
"$BIN" dev seed --users "$USERS" --new
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
CSRF=$(curl -s -c "$JAR" -b "$JAR" "$BASE/users" | grep -o 'name="csrf" value="[0-9a-f]*"' | head -1 | sed 's/.*value="//; s/"//')

echo "# $BACKEND, $USERS users, $(date -u +%Y-%m-%d), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
for step in "invite|angelegt" "deactivate|eingeladen"; do
    action=${step%%|*}
    status=${step#*|}
    form="csrf=$CSRF&action=$action&scope=filter&f_status=$status"
    confirm_s=$(curl -s -b "$JAR" -o "$WORK/confirm.html" -w '%{time_total}' --data "$form" "$BASE/users/bulk")
    affected=$(grep -o 'data-count="affected"><strong>[0-9.]*' "$WORK/confirm.html" | grep -o '[0-9.]*$')
    key=$(grep -o 'name="form_key" value="[0-9a-zA-Z_-]*"' "$WORK/confirm.html" | sed 's/.*value="//; s/"//')
    confirmed=$(grep -o 'name="confirmed" value="[0-9a-f]*"' "$WORK/confirm.html" | sed 's/.*value="//; s/"//')
    started=$(date +%s.%N)
    run_s=$(curl -s -b "$JAR" -o /dev/null -D "$WORK/headers" -w '%{time_total}' --data "$form&form_key=$key&confirmed=$confirmed" "$BASE/users/bulk/run")
    task=$(grep -i '^location:' "$WORK/headers" | tr -d '\r' | awk '{print $2}')
    until curl -s -b "$JAR" "$BASE$task" | grep -q 'data-task-state="fertig"'; do sleep 0.2; done
    ended=$(date +%s.%N)
    done_n=$(curl -s -b "$JAR" "$BASE$task" | grep -o 'data-count="done">[0-9.]*' | grep -o '[0-9.]*$')
    printf '## %s over status=%s: %s affected; confirmation page %.0f ms; starting request %.0f ms; whole job %.1f s (%s done)\n' \
        "$action" "$status" "$affected" "$(echo "$confirm_s*1000" | bc)" "$(echo "$run_s*1000" | bc)" \
        "$(echo "$ended - $started" | bc)" "$done_n"
done
