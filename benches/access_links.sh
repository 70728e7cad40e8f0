#!/usr/bin/env bash
# Zugangslinks: an admin makes N one-time links at once ("Zugangslinks
# erstellen"), over HTTP as a browser would. Timed: the POST that makes
# them (all links in one transaction, until the redirect), the set's page
# that lists them with their addresses, and the QR letters' page. Three
# rounds, each a new set, on a database with 10,000 people.
#
#   benches/access_links.sh [sqlite|postgres] [links]
#
# PostgreSQL: EINLASS_BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres);
# the database einlass_bench is dropped and recreated.
set -euo pipefail
cd "$(dirname "$0")/.."

BACKEND=${1:-sqlite}
LINKS=${2:-1000}
PORT=${EINLASS_BENCH_PORT:-18096}
BASE="http://127.0.0.1:$PORT"
WORK=$(mktemp -d)
trap 'kill "${SERVER:-0}" 2>/dev/null || true; rm -rf "$WORK"' EXIT

cargo build --release --quiet --bin einlass
BIN=target/release/einlass

case "$BACKEND" in
    sqlite) URL="sqlite://$WORK/bench.sqlite3" ;;
    postgres)
        SERVER_URL=${EINLASS_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
        psql "$SERVER_URL" -qc "DROP DATABASE IF EXISTS einlass_bench WITH (FORCE)" -c "CREATE DATABASE einlass_bench"
        URL="${SERVER_URL%/*}/einlass_bench?sslmode=disable" ;;
    *) echo "backend: sqlite or postgres" >&2; exit 2 ;;
esac

export EINLASS_DATABASE_URL="$URL" EINLASS_BIND="127.0.0.1:$PORT" EINLASS_LOG=warn EINLASS_MAIL_WORKER_IN_SERVE=false
"$BIN" migrate >/dev/null
"$BIN" dev seed --users 10000 >/dev/null
echo "bench-password-1" | "$BIN" admin create --username bench --password-stdin >/dev/null
"$BIN" serve 2>"$WORK/server.log" &
SERVER=$!
for _ in $(seq 1 100); do "$BIN" healthcheck >/dev/null 2>&1 && break; sleep 0.1; done

JAR="$WORK/cookies"
field() { grep -o "name=\"$1\" value=\"[0-9a-f]*\"" | head -1 | sed 's/.*value="//; s/"//'; }
TOKEN=$(curl -s -c "$JAR" -b "$JAR" "$BASE/login" | field csrf)
curl -s -c "$JAR" -b "$JAR" -o /dev/null --data "csrf=$TOKEN&identifier=bench&password=bench-password-1" "$BASE/login"

echo "# $BACKEND, $LINKS links a set, $(date -u +%Y-%m-%d), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
for round in 1 2 3; do
    curl -s -c "$JAR" -b "$JAR" "$BASE/access-links/new" > "$WORK/form.html"
    csrf=$(field csrf < "$WORK/form.html")
    key=$(field form_key < "$WORK/form.html")
    create_s=$(curl -s -c "$JAR" -b "$JAR" -o /dev/null -D "$WORK/headers" -w '%{time_total}' \
        --data "csrf=$csrf&form_key=$key&count=$LINKS&valid_days=14&user_type=mitarbeiter&label=Bench+$round" \
        "$BASE/access-links/new")
    set_path=$(grep -i '^location:' "$WORK/headers" | tr -d '\r' | awk '{print $2}')
    page_s=$(curl -s -c "$JAR" -b "$JAR" -o "$WORK/set.html" -w '%{time_total}' "$BASE$set_path")
    shown=$(grep -c '/a/ELA_' "$WORK/set.html" || true)
    letters_s=$(curl -s -c "$JAR" -b "$JAR" -o "$WORK/letters.html" -w '%{time_total}' "$BASE$set_path/letters")
    letters=$(grep -c 'class="letter"' "$WORK/letters.html" || true)
    printf 'round %s: create %.0f ms; set page %.0f ms (%s addresses); letters page %.0f ms (%s letters)\n' \
        "$round" "$(echo "$create_s*1000" | bc)" "$(echo "$page_s*1000" | bc)" "$shown" \
        "$(echo "$letters_s*1000" | bc)" "$letters"
done
