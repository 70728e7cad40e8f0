#!/usr/bin/env bash
# The import benchmark: a generated .xlsx with 100,000 people in 8 columns
# (about 1 % invalid addresses, 0.5 % addresses twice) is uploaded over HTTP
# into an instance that has 100,000 users already; timed are the upload up
# to the preview page, the commit and the undo, beside the floors measured
# in the same run (examples/bench_import.rs): calamine reading the file
# alone, and a bare insert of the same rows into the users table. The
# server's RSS (and the reader child's) is sampled every 20 ms.
#
#   benches/import.sh [sqlite|postgres] [rows] [existing users]
#
# PostgreSQL: EINLASS_BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres);
# the database einlass_bench is dropped and recreated.
set -euo pipefail
cd "$(dirname "$0")/.."

BACKEND=${1:-sqlite}
ROWS=${2:-100000}
EXISTING=${3:-100000}
PORT=${EINLASS_BENCH_PORT:-18093}
BASE="http://127.0.0.1:$PORT"
WORK=$(mktemp -d)
trap 'kill "${SERVER:-0}" "${SAMPLER:-0}" 2>/dev/null || true; rm -rf "$WORK"' EXIT

cargo build --release --quiet --bin einlass --example bench_import
BIN=target/release/einlass
HELPER=target/release/examples/bench_import

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
"$BIN" dev seed --users "$EXISTING" >/dev/null
if [ "$BACKEND" = postgres ]; then
    "$BIN" jobs run --only fold-counts >/dev/null
    psql "${SERVER_URL%/*}/einlass_bench" -qc "VACUUM (ANALYZE)" -c CHECKPOINT
fi
echo "bench-password-1" | "$BIN" admin create --username bench --password-stdin >/dev/null
FILE="$WORK/people.xlsx"
"$HELPER" generate "$FILE" "$ROWS"

"$BIN" serve 2>"$WORK/server.log" &
SERVER=$!
for _ in $(seq 1 100); do "$BIN" healthcheck >/dev/null 2>&1 && break; sleep 0.1; done

# Peak RSS of the server and of any reader child, in kB. Bash builtins only
# (no pgrep, awk or sleep processes): a sampler that forks 150 times a second
# took a sixth of the two cores from the run it measures.
rss_of() { # sets RSS (a function's output through $(...) would fork)
    local key value rest
    RSS=0
    while read -r key value rest; do
        [ "$key" = "VmRSS:" ] && { RSS=$value; return; }
    done < "/proc/$1/status" 2>/dev/null
}
(
    server_max=0; child_max=0
    exec 3<> <(:)
    while [ -d "/proc/$SERVER" ]; do
        rss_of "$SERVER"
        [ "$RSS" -gt "$server_max" ] && server_max=$RSS
        for children in /proc/"$SERVER"/task/*/children; do
            # A thread may end between the glob and the read: no message.
            pids=()
            read -r -a pids 2>/dev/null < "$children" || true
            for pid in "${pids[@]}"; do
                rss_of "$pid"
                [ "$RSS" -gt "$child_max" ] && child_max=$RSS
            done
        done
        echo "$server_max $child_max" > "$WORK/rss"
        read -r -t 0.02 -u 3 || true
    done
) &
SAMPLER=$!

JAR="$WORK/cookies"
TOKEN=$(curl -s -c "$JAR" -b "$JAR" "$BASE/login" | grep -o 'name="csrf" value="[0-9a-f]*"' | head -1 | sed 's/.*value="//; s/"//')
curl -s -c "$JAR" -b "$JAR" -o /dev/null --data "csrf=$TOKEN&identifier=bench&password=bench-password-1" "$BASE/login"
CSRF=$(curl -s -c "$JAR" -b "$JAR" "$BASE/imports" | grep -o 'name="csrf" value="[0-9a-f]*"' | head -1 | sed 's/.*value="//; s/"//')

echo "# $BACKEND, $ROWS rows into $EXISTING users, $(date -u +%Y-%m-%d), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
ls -l "$FILE" | awk '{print "file_bytes=" $5}'
read -r upload_s location < <(curl -s -b "$JAR" -o /dev/null -w '%{time_total} %{redirect_url}\n' \
    -F "csrf=$CSRF" -F mode=create -F "file=@$FILE" "$BASE/imports")
[ -n "$location" ] || { echo "upload refused" >&2; tail -5 "$WORK/server.log" >&2; exit 1; }
page_s=$(curl -s -b "$JAR" -o "$WORK/preview.html" -w '%{time_total}' "$location")
version=$(grep -o 'name="version" value="[0-9]*"' "$WORK/preview.html" | grep -o '[0-9]*')
new=$(grep -o 'data-outcome="neu" class="badge outcome-neu">Neu: <strong>[0-9.]*' "$WORK/preview.html" | grep -o '[0-9.]*$')
errors=$(grep -o 'data-outcome="fehler" class="badge outcome-fehler">Fehler: <strong>[0-9.]*' "$WORK/preview.html" | grep -o '[0-9.]*$' || echo 0)
echo "preview: upload ${upload_s}s + page ${page_s}s; new=$new errors=$errors"
commit_s=$(curl -s -b "$JAR" -o /dev/null -w '%{time_total}' --data "csrf=$CSRF&version=$version" "$location/commit")
created=$(curl -s -b "$JAR" "$location" | grep -o 'data-count="created">[0-9.]*' | grep -o '[0-9.]*$')
echo "commit: ${commit_s}s; created=$created"
# The confirmation page first (as an admin sees it; not timed): the undo
# posts the newest change it showed.
seen=$(curl -s -b "$JAR" "$location/undo" | grep -o 'name="seen" value="[0-9]*"' | grep -o '[0-9][0-9]*' || echo 0)
undo_s=$(curl -s -b "$JAR" -o /dev/null -w '%{time_total}' --data "csrf=$CSRF&seen=$seen" "$location/undo")
state=$(curl -s -b "$JAR" "$location" | grep -o 'data-state="[a-z_]*"')
echo "undo: ${undo_s}s; $state"
# The sampler rewrites the file every 20 ms: a read that finds it just
# emptied is tried again.
server_kb=0 child_kb=0
for _ in 1 2 3 4 5; do
    read -r server_kb child_kb < "$WORK/rss" && break
    sleep 0.05
done
echo "peak_rss_server_mb=$((server_kb / 1024)) peak_rss_reader_mb=$((child_kb / 1024))"
"$HELPER" floor-read "$FILE"
"$HELPER" floor-insert "$URL" "$FILE"
