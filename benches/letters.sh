#!/usr/bin/env bash
# The QR letters benchmark: N people `angelegt`, an admin in Debian's
# Chromium confirms "QR-Briefe drucken" for all of them (benches/letters.mjs
# times the confirmation, the links being made until the letters page has
# loaded with every code, the page loaded again, and the print to PDF),
# then every page of the PDF is rendered (poppler's pdftoppm) and its code
# read with zbarimg: each must hold a link, all different.
#
#   benches/letters.sh [sqlite|postgres] [people]
#
# Needs: chromium, zbar-tools, poppler-utils (Debian), tests/browser's npm
# packages (npm ci there). PostgreSQL: EINLASS_BENCH_POSTGRES_URL (default
# postgres://postgres@127.0.0.1:5432/postgres); einlass_bench is recreated.
set -euo pipefail
cd "$(dirname "$0")/.."

BACKEND=${1:-sqlite}
PEOPLE=${2:-1000}
PORT=${EINLASS_BENCH_PORT:-18095}
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
"$BIN" dev seed --users "$PEOPLE" --new >/dev/null
if [ "$BACKEND" = postgres ]; then
    "$BIN" jobs run --only fold-counts >/dev/null
    psql "${SERVER_URL%/*}/einlass_bench" -qc "VACUUM (ANALYZE)"
fi
echo "bench-password-1" | "$BIN" admin create --username bench --password-stdin >/dev/null
"$BIN" serve 2>"$WORK/server.log" &
SERVER=$!
for _ in $(seq 1 100); do "$BIN" healthcheck >/dev/null 2>&1 && break; sleep 0.1; done

echo "# $BACKEND, $PEOPLE letters, $(date -u +%Y-%m-%d), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
node benches/letters.mjs "$BASE" bench bench-password-1 "$WORK/letters.pdf"

# Every page's code, read back (EINLASS_BENCH_SKIP_DECODE=1 skips it).
[ -n "${EINLASS_BENCH_SKIP_DECODE:-}" ] && exit 0
mkdir "$WORK/pages"
start=$(date +%s.%N)
pdftoppm -r 72 -png "$WORK/letters.pdf" "$WORK/pages/p"
read_ok=0; links=$WORK/links
: > "$links"
for png in "$WORK"/pages/*.png; do
    if code=$(zbarimg -q --raw -Sbinary "$png" 2>/dev/null); then
        read_ok=$((read_ok + 1))
        echo "$code" >> "$links"
    fi
done
distinct=$(grep -c '/i/ELI_' "$links" | xargs)
unique=$(sort -u "$links" | grep -c '/i/ELI_' | xargs)
echo "pages_decoded=$read_ok links=$distinct distinct_links=$unique check_s=$(echo "$(date +%s.%N) - $start" | bc)"
