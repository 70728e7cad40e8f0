#!/usr/bin/env bash
# The update import benchmark: an instance of N seeded people (two in three
# have a personnel number); a CSV found by personnel number gives each of
# them a new last name. Timed over HTTP: the upload up to the preview page,
# the commit, and the undo (its page, which counts what can go back, and
# the POST).
#
#   benches/update_import.sh [sqlite|postgres] [people] [debug|release]
#
# PostgreSQL: EINLASS_BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres);
# the database einlass_bench_update is dropped and recreated.
set -euo pipefail
cd "$(dirname "$0")/.."

BACKEND=${1:-sqlite}
PEOPLE=${2:-20000}
PROFILE=${3:-release}
PORT=${EINLASS_BENCH_PORT:-18094}
WORK=$(mktemp -d)
trap 'kill "${SERVER:-0}" 2>/dev/null || true; rm -rf "$WORK"' EXIT

if [ "$PROFILE" = release ]; then
    cargo build --release --quiet --bin einlass
else
    cargo build --quiet --bin einlass
fi
BIN=target/$PROFILE/einlass

case "$BACKEND" in
    sqlite)
        touch "$WORK/bench.sqlite3"
        URL="sqlite://$WORK/bench.sqlite3" ;;
    postgres)
        SERVER_URL=${EINLASS_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
        psql "$SERVER_URL" -qc "DROP DATABASE IF EXISTS einlass_bench_update WITH (FORCE)" \
            -c "CREATE DATABASE einlass_bench_update"
        URL="${SERVER_URL%/*}/einlass_bench_update?sslmode=disable" ;;
    *) echo "backend: sqlite or postgres" >&2; exit 2 ;;
esac

export EINLASS_DATABASE_URL="$URL" EINLASS_BIND="127.0.0.1:$PORT" EINLASS_LOG=warn \
    EINLASS_MAIL_WORKER_IN_SERVE=false EINLASS_BCRYPT_COST=4
"$BIN" migrate >/dev/null
"$BIN" dev seed --users "$PEOPLE" >/dev/null
echo "bench-password-1" | "$BIN" admin create --username bench --password-stdin >/dev/null

"$BIN" serve 2>"$WORK/server.log" &
SERVER=$!
for _ in $(seq 1 100); do "$BIN" healthcheck >/dev/null 2>&1 && break; sleep 0.1; done

# The file is written from the user export (the same people, as an admin
# would start from it), so no database tool is needed.
python3 - "http://127.0.0.1:$PORT" "$WORK" <<'PY'
import csv, html, io, re, sys, time, zipfile
import urllib.parse, urllib.request, http.cookiejar
base, work = sys.argv[1], sys.argv[2]
jar = http.cookiejar.CookieJar()
class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
def call(path, data=None, headers={}):
    req = urllib.request.Request(base + path, data=data, headers=headers)
    try:
        r = opener.open(req)
    except urllib.error.HTTPError as e:
        r = e
    return r.status, r.headers, r.read()
def csrf(html):
    return re.search(rb'name="csrf" value="([^"]+)"', html).group(1).decode()
def form(path, fields):
    return call(path, urllib.parse.urlencode(fields).encode(),
                {"Content-Type": "application/x-www-form-urlencoded"})
_, _, page = call("/login")
form("/login", {"csrf": csrf(page), "identifier": "bench", "password": "bench-password-1", "next": "/"})
# The people with a personnel number and their last names, from the export.
_, _, book = call("/users/export.xlsx")
z = zipfile.ZipFile(io.BytesIO(book))
strings = []
if "xl/sharedStrings.xml" in z.namelist():
    strings = [html.unescape(t.decode()) for t in
               re.findall(rb"<t[^>]*>([^<]*)</t>", z.read("xl/sharedStrings.xml"))]
sheet = z.read("xl/worksheets/sheet1.xml").decode()
def cells(row):
    out = {}
    for c in re.findall(r"<c [^>]*?(?:/>|>.*?</c>)", row):
        ref = re.match(r'<c r="([A-Z]+)', c).group(1)
        inline = re.search(r"<t[^>]*>([^<]*)</t>", c)
        value = re.search(r"<v>([^<]*)</v>", c)
        if inline:
            out[ref] = html.unescape(inline.group(1))
        elif value and 't="s"' in c:
            out[ref] = strings[int(value.group(1))]
        elif value:
            out[ref] = value.group(1)
    return out
rows = [cells(r) for r in re.findall(r"<row[^>]*>(.*?)</row>", sheet)]
title = {v: k for k, v in rows[0].items()}
num, last = title["Personalnummer"], title["Nachname"]
lines = [(r[num], r[last] + "x") for r in rows[1:] if r.get(num) and r.get(last)]
out = io.StringIO()
w = csv.writer(out, delimiter=";")
w.writerow(["Personalnummer", "Nachname"])
w.writerows(lines)
body = out.getvalue().encode()
_, _, page = call("/imports")
boundary = "benchboundary"
parts = []
for name, value in [("csrf", csrf(page)), ("mode", "update")]:
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="update.csv"\r\nContent-Type: text/csv\r\n\r\n'.encode() + body + b"\r\n")
parts.append(f"--{boundary}--\r\n".encode())
t = time.time()
status, headers, _ = call("/imports", b"".join(parts), {"Content-Type": f"multipart/form-data; boundary={boundary}"})
at = headers["Location"]
_, _, page = call(at)
preview = time.time() - t
version = re.search(rb'name="version" value="([^"]+)"', page).group(1).decode()
t = time.time()
status, _, _ = form(at + "/commit", {"csrf": csrf(page), "version": version})
commit = time.time() - t
_, _, page = call(at)
updated = re.search(rb'data-count="updated">([0-9.]+)<', page).group(1).decode()
t = time.time()
_, _, page = call(at + "/undo")
seen = re.search(rb'name="seen" value="([^"]*)"', page).group(1).decode()
status2, _, _ = form(at + "/undo", {"csrf": csrf(page), "seen": seen})
undo = time.time() - t
print(f"rows={len(lines)} updated={updated} commit_status={status} undo_status={status2}")
print(f"preview_s={preview:.2f} commit_s={commit:.2f} undo_s={undo:.2f}")
PY
