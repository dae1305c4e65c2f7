#!/usr/bin/env bash
# The HTTP figures of the Performance issue, on SQLite and on PostgreSQL, one fresh
# database per build and backend, loopback only, every phase bounded in time.
#
# For each backend, and for each build to compare (BEFORE_* first when given, then this
# one), the script seeds a database with examples/perf_seed.rs, starts `janji serve`
# on it and runs, in this order:
#
#   healthz      GET /healthz at RATE, open loop: the HTTP floor
#   avail_1      GET /v1/availability over 31 days, 1 resource, 2,000 bookings in the window
#   avail_50     the same, 50 resources (25 bays, 25 advisors), 10,000 appointments
#   avail_1_cold, avail_50_cold
#                the same reads, each request a different window (its start shifted by
#                one more minute, 30 days long), so no answer the server keeps is asked
#                twice: the cost of a window seen for the first time (always openloop.py)
#   suggest_50   GET /v1/availability/suggestions, limit 10, near a busy hour, same data
#   book         POST /v1/appointments, BOOK_CONNS connections, closed loop (wrk), each
#                request a distinct start, resource chosen by the server
#   baseline     single-row insert transactions at the same concurrency: pgbench on
#                PostgreSQL; on SQLite one writer (python3's sqlite3, WAL, synchronous=NORMAL)
#   booking_sql  PostgreSQL only: a booking's own statements (benches/booking.pgbench) run
#                by pgbench at the same concurrency, so the bookings phase is also read
#                against what its SQL alone allows
#
# Reads are open loop: `oha -q RATE -z DURATION --latency-correction`, so a request
# that waits behind a slow one counts from when it was due, not from when it was sent.
# Per phase: rate served, p50/p99/p99.9, non-2xx, the server's own CPU time
# (utime+stime from /proc/PID/stat) per request, and the server's RSS (VmRSS right
# after start, VmHWM after each phase).
#
#   benches/perf.sh                                   # this tree's release build
#   BACKENDS=sqlite RATE=200 DURATION=10s benches/perf.sh
#   BEFORE_BIN=/path/janji BEFORE_SEED_BIN=/path/perf_seed benches/perf.sh
#   benches/build_before.sh 954b84d                   # builds those two for a commit
#
# Needs oha (`cargo install oha --locked`), wrk and pgbench (Debian packages `wrk`,
# `postgresql-client`). Results: one line per phase on stdout, and the raw outputs and a
# TSV (results.tsv) in OUT (default: a new directory under /tmp).
set -euo pipefail
cd "$(dirname "$0")/.."

RATE="${RATE:-200}"
DURATION="${DURATION:-10s}"
BOOK_DURATION="${BOOK_DURATION:-10s}"
BOOK_CONNS="${BOOK_CONNS:-16}"
BACKENDS="${BACKENDS:-sqlite postgres}"
PORT="${PORT:-18320}"
PG_ADMIN_URL="${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
LABEL="${LABEL:-this}"
# JANJI_BIN and JANJI_SEED_BIN: binaries already built (skips the release build).
if [ -z "${JANJI_BIN:-}" ]; then
  cargo build --release --quiet --bin janji --example perf_seed
fi
JANJI_BIN="${JANJI_BIN:-target/release/janji}"
JANJI_SEED_BIN="${JANJI_SEED_BIN:-target/release/examples/perf_seed}"
OUT="${OUT:-$(mktemp -d /tmp/janji-perf.XXXXXX)}"
mkdir -p "$OUT"
# Without oha the reads come from benches/openloop.py (same schedule and correction).
OHA=oha
command -v oha >/dev/null || { OHA=""; echo "oha not found: reads run with benches/openloop.py" >&2; }

for tool in wrk python3; do
  command -v "$tool" >/dev/null || { echo "$tool not found (see the head of $0)" >&2; exit 1; }
done

builds=()
if [ -n "${BEFORE_BIN:-}" ]; then
  builds+=("before|$BEFORE_BIN|${BEFORE_SEED_BIN:?BEFORE_SEED_BIN is needed with BEFORE_BIN}")
fi
builds+=("$LABEL|$JANJI_BIN|$JANJI_SEED_BIN")

server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT

TICK=$(getconf CLK_TCK)
# The server's CPU time so far, in clock ticks (utime + stime).
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
mem_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }

printf 'build\tbackend\tphase\trequests\trate\tp50_ms\tp99_ms\tp999_ms\tnon2xx\tcpu_ms_per_req\thwm_mb\n' >"$OUT/results.tsv"

# record BUILD BACKEND PHASE REQUESTS RATE P50 P99 P999 NON2XX CPU_TICKS HWM_KB
record() {
  local cpu_ms
  cpu_ms=$(awk -v t="${10}" -v n="$4" -v hz="$TICK" 'BEGIN { if (t != "-" && n > 0) printf "%.3f", t * 1000 / hz / n; else print "-" }')
  local hwm_mb=$(( ${11} / 1024 ))
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "$6" "$7" "$8" "$9" "$cpu_ms" "$hwm_mb" >>"$OUT/results.tsv"
  printf '%-7s %-8s %-11s %6s req %8s/s  p50 %7s  p99 %7s  p99.9 %7s ms  non-2xx %-5s cpu %6s ms/req  peak RSS %s MB\n' \
    "$1" "$2" "$3" "$4" "$5" "$6" "$7" "$8" "$9" "$cpu_ms" "$hwm_mb"
}

# A summary of oha's JSON: requests rate p50 p99 p99.9 non2xx (milliseconds).
oha_summary() {
  python3 - "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
codes = d.get("statusCodeDistribution", {})
total = sum(codes.values())
non2xx = sum(v for k, v in codes.items() if not k.startswith("2"))
errors = sum(d.get("errorDistribution", {}).values())
p = d["latencyPercentiles"]
ms = lambda v: "%.2f" % (v * 1000) if v is not None else "-"
print(total, "%.1f" % d["summary"]["requestsPerSec"], ms(p["p50"]), ms(p["p99"]), ms(p["p99.9"]),
      non2xx + errors)
PY
}

# read_phase BUILD BACKEND PHASE KEY PATH
read_phase() {
  local build=$1 backend=$2 phase=$3 key=$4 path=$5
  local before after
  before=$(cpu_ticks "$server_pid")
  if [ -n "$OHA" ] && [ "${path#@}" = "$path" ]; then
    oha --no-tui --output-format json --latency-correction -q "$RATE" -z "$DURATION" \
      -H "Authorization: Bearer $key" "http://127.0.0.1:$PORT$path" >"$OUT/$build.$backend.$phase.json"
  else
    local target="http://127.0.0.1:$PORT$path"
    [ "${path#@}" != "$path" ] && target=$path
    python3 benches/openloop.py "$RATE" "${DURATION%s}" "$target" \
      "Authorization: Bearer $key" >"$OUT/$build.$backend.$phase.json"
  fi
  after=$(cpu_ticks "$server_pid")
  local s
  read -r -a s <<<"$(oha_summary "$OUT/$build.$backend.$phase.json")"
  record "$build" "$backend" "$phase" "${s[0]}" "${s[1]}" "${s[2]}" "${s[3]}" "${s[4]}" "${s[5]}" \
    $((after - before)) "$(mem_kb "$server_pid" VmHWM)"
}

# Distinct 30-day windows for the cold reads: one per request of a phase, each starting
# a minute after the previous one.
cold_windows() {
  local file=$1 location=$2 service=$3 from=$4
  python3 - "$file" "$PORT" "$location" "$service" "$from" "$RATE" "${DURATION%s}" <<'PY'
import sys
from datetime import datetime, timedelta
path, port, loc, svc, start, rate, secs = sys.argv[1:8]
base = datetime.fromisoformat(start.replace("Z", "+00:00"))
fmt = lambda t: t.strftime("%Y-%m-%dT%H:%M:%SZ")
with open(path, "w") as f:
    for i in range(int(float(rate) * float(secs))):
        a = base + timedelta(minutes=i)
        f.write(f"http://127.0.0.1:{port}/v1/availability?location_id={loc}&service_id={svc}"
                f"&from={fmt(a)}&to={fmt(a + timedelta(days=30))}\n")
PY
}

cat >"$OUT/book.lua" <<'LUA'
-- Each request books a distinct start, 15 minutes after the previous one, from
-- BOOK_FROM (epoch seconds); the server picks the bay.
local n = 0
local base = tonumber(os.getenv("BOOK_FROM"))
local key = os.getenv("JANJI_KEY")
local loc, svc, cust = os.getenv("BOOK_LOCATION"), os.getenv("BOOK_SERVICE"), os.getenv("BOOK_CUSTOMER")
local headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. key}
request = function()
  local start = os.date("!%Y-%m-%dT%H:%M:%SZ", base + n * 900)
  n = n + 1
  local body = string.format('{"location_id":"%s","service_id":"%s","customer_id":"%s","start":"%s"}',
    loc, svc, cust, start)
  return wrk.format("POST", "/v1/appointments", headers, body)
end
done = function(summary, latency, requests)
  local non2xx = summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout
  io.write(string.format("SUMMARY %d %.1f %.2f %.2f %.2f %d\n", summary.requests,
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency:percentile(99.9) / 1000, non2xx))
end
LUA

# book_phase BUILD BACKEND SEEDFILE
book_phase() {
  local build=$1 backend=$2 seed=$3
  local before after
  export JANJI_KEY BOOK_FROM BOOK_LOCATION BOOK_SERVICE BOOK_CUSTOMER
  JANJI_KEY=$(awk '$1 == "book_key" {print $2}' "$seed")
  BOOK_LOCATION=$(awk '$1 == "book_location" {print $2}' "$seed")
  BOOK_SERVICE=$(awk '$1 == "book_service" {print $2}' "$seed")
  BOOK_CUSTOMER=$(awk '$1 == "book_customer" {print $2}' "$seed")
  BOOK_FROM=$(date -u -d "$(awk '$1 == "book_from" {print $2}' "$seed")" +%s)
  before=$(cpu_ticks "$server_pid")
  wrk -t1 -c"$BOOK_CONNS" -d"$BOOK_DURATION" -s "$OUT/book.lua" "http://127.0.0.1:$PORT" \
    >"$OUT/$build.$backend.book.txt"
  after=$(cpu_ticks "$server_pid")
  local s
  read -r -a s <<<"$(awk '$1 == "SUMMARY" {print $2, $3, $4, $5, $6, $7}' "$OUT/$build.$backend.book.txt")"
  record "$build" "$backend" "book_c$BOOK_CONNS" "${s[0]}" "${s[1]}" "${s[2]}" "${s[3]}" "${s[4]}" "${s[5]}" \
    $((after - before)) "$(mem_kb "$server_pid" VmHWM)"
}

# A booking's own statements (benches/booking.pgbench) run by pgbench at the same
# concurrency, on the same database after the bookings phase: the rate PostgreSQL allows
# a booking without HTTP or Janji. Bookings start 1,000 days after the HTTP phase's.
booking_sql_phase() {
  local build=$1 url=$2 seed=$3
  local secs=${BOOK_DURATION%s}
  v() { awk -v k="$1" '$1 == k {print $2}' "$seed"; }
  local loc org bays from prefix
  if [ "$(psql "$url" -Atc "SELECT to_regclass('busy_versions') IS NOT NULL")" != t ]; then
    echo "   booking_sql: skipped, this build's schema is older than booking.pgbench's (000019)"
    return
  fi
  loc=$(v book_location)
  org=$(psql "$url" -Atc "SELECT organization_id FROM locations WHERE id = '$loc'")
  mapfile -t bays < <(psql "$url" -Atc "SELECT id FROM resources WHERE location_id = '$loc' ORDER BY id")
  [ "${#bays[@]}" = 2 ] || { echo "booking.pgbench needs a location of two bays, found ${#bays[@]}" >&2; exit 1; }
  from=$(($(date -u -d "$(v book_from)" +%s) + 1000 * 86400))
  prefix=$(v book_key | cut -d_ -f1-2)
  pgbench -n -c "$BOOK_CONNS" -j 2 -T "$secs" -M prepared -r -f benches/booking.pgbench \
    -D k=0 -D clients="$BOOK_CONNS" -D tag="$build$$" -D org="$org" -D loc="$loc" \
    -D svc="$(v book_service)" -D cust="$(v book_customer)" -D bay0="${bays[0]}" -D bay1="${bays[1]}" \
    -D from="$from" -D prefix="$prefix" -D changes="$(booking_changes "$loc")" \
    "$url" >"$OUT/$build.postgres.booking_sql.txt" 2>&1
  local tps lat n
  tps=$(awk '/^tps/ {printf "%.1f", $3}' "$OUT/$build.postgres.booking_sql.txt")
  lat=$(awk '/latency average/ {print $4}' "$OUT/$build.postgres.booking_sql.txt")
  n=$(awk '/number of transactions actually processed/ {print $6}' "$OUT/$build.postgres.booking_sql.txt")
  [ -n "$tps" ] || { cat "$OUT/$build.postgres.booking_sql.txt" >&2; exit 1; }
  record "$build" postgres "booking_sql_c$BOOK_CONNS" "${n%%/*}" "$tps" "avg:$lat" - - - - 0
}

# An event's changes as a booking writes them (their size matters, not their values).
booking_changes() {
  printf '{"status":{"old":null,"new":"booked"},"starts_at":{"old":null,"new":"2030-01-01T17:00:00Z"},'
  printf '"ends_at":{"old":null,"new":"2030-01-01T17:15:00Z"},"location_id":{"old":null,"new":"%s"},' "$1"
  printf '"service_id":{"old":null,"new":"01a2313a-3f99-7233-9dbf-0b7808ffd9f2"},'
  printf '"customer_id":{"old":null,"new":"01a2313a-3f9a-709e-bfd3-1479dd43fd8b"},"channel":{"old":null,"new":"in_person"},'
  printf '"resource_ids":{"old":null,"new":["01a2313a-3f98-7518-980e-decd4462dc25"]}}'
}

# The database's own single-row insert rate at the same concurrency, right after the
# bookings phase on the same database (the server idle).
baseline_phase() {
  local build=$1 backend=$2 url=$3 seed=$4
  local secs=${BOOK_DURATION%s}
  if [ "$backend" = postgres ]; then
    psql "$url" -qc "CREATE TABLE bench_scratch (id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(), note text)"
    echo "INSERT INTO bench_scratch (note) VALUES ('x');" >"$OUT/insert.sql"
    pgbench -n -c "$BOOK_CONNS" -j 2 -T "$secs" -f "$OUT/insert.sql" "$url" >"$OUT/$build.$backend.pgbench.txt" 2>&1
    local tps lat n
    tps=$(awk '/^tps/ {printf "%.1f", $3}' "$OUT/$build.$backend.pgbench.txt")
    lat=$(awk '/latency average/ {print $4}' "$OUT/$build.$backend.pgbench.txt")
    n=$(awk '/number of transactions actually processed/ {print $6}' "$OUT/$build.$backend.pgbench.txt")
    record "$build" "$backend" "pgbench_c$BOOK_CONNS" "${n%%/*}" "$tps" "avg:$lat" - - - - 0
    booking_sql_phase "$build" "$url" "$seed"
  else
    python3 - "$url" "$secs" >"$OUT/$build.$backend.sqlite_insert.txt" <<'PY'
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
for p in ("journal_mode = WAL", "synchronous = NORMAL", "busy_timeout = 5000", "foreign_keys = ON"):
    db.execute("PRAGMA " + p)
db.execute("CREATE TABLE bench_scratch (id INTEGER PRIMARY KEY, at TEXT NOT NULL, note TEXT)")
lat, end, n = [], time.monotonic() + float(sys.argv[2]), 0
t0 = time.monotonic()
while True:
    a = time.monotonic()
    if a >= end:
        break
    db.execute("BEGIN IMMEDIATE")
    db.execute("INSERT INTO bench_scratch (at, note) VALUES (datetime('now'), 'x')")
    db.execute("COMMIT")
    lat.append(time.monotonic() - a)
    n += 1
lat.sort()
q = lambda f: "%.3f" % (lat[min(len(lat) - 1, int(f * len(lat)))] * 1000)
print(n, "%.1f" % (n / (time.monotonic() - t0)), q(0.5), q(0.99), q(0.999))
PY
    local s
    read -r -a s <<<"$(cat "$OUT/$build.$backend.sqlite_insert.txt")"
    record "$build" "$backend" "sqlite_insert_c1" "${s[0]}" "${s[1]}" "${s[2]}" "${s[3]}" "${s[4]}" 0 - 0
  fi
}

run() {
  local build=$1 bin=$2 seedbin=$3 backend=$4 url=$5
  local seed="$OUT/$build.$backend.seed"
  echo "== $build on $backend: seeding ($seedbin)"
  DATABASE_URL="$url" "$seedbin" >"$seed"
  grep -E "booked|seed_seconds" "$seed" | sed 's/^/   /'
  RUST_LOG=warn DATABASE_URL="$url" JANJI_BIND="127.0.0.1:$PORT" "$bin" serve >"$OUT/$build.$backend.server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 100); do curl -fs "127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.1; done
  local rss0
  rss0=$(mem_kb "$server_pid" VmRSS)
  echo "   server RSS after start: $((rss0 / 1024)) MB"
  printf '%s\t%s\trss_start\t-\t-\t-\t-\t-\t-\t-\t%s\n' "$build" "$backend" $((rss0 / 1024)) >>"$OUT/results.tsv"

  v() { awk -v k="$1" '$1 == k {print $2}' "$seed"; }
  local from to near
  from=$(v window_from); to=$(v window_to); near=$(v near)
  read_phase "$build" "$backend" healthz - "/healthz"
  read_phase "$build" "$backend" avail_1 "$(v one_key)" \
    "/v1/availability?location_id=$(v one_location)&service_id=$(v one_service)&from=$from&to=$to"
  read_phase "$build" "$backend" avail_50 "$(v fifty_key)" \
    "/v1/availability?location_id=$(v fifty_location)&service_id=$(v fifty_service)&from=$from&to=$to"
  cold_windows "$OUT/cold_1.urls" "$(v one_location)" "$(v one_service)" "$from"
  read_phase "$build" "$backend" avail_1_cold "$(v one_key)" "@$OUT/cold_1.urls"
  cold_windows "$OUT/cold_50.urls" "$(v fifty_location)" "$(v fifty_service)" "$from"
  read_phase "$build" "$backend" avail_50_cold "$(v fifty_key)" "@$OUT/cold_50.urls"
  read_phase "$build" "$backend" suggest_50 "$(v fifty_key)" \
    "/v1/availability/suggestions?location_id=$(v fifty_location)&service_id=$(v fifty_service)&near=$near&limit=10"
  book_phase "$build" "$backend" "$seed"
  baseline_phase "$build" "$backend" "$url" "$seed"
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

echo "results in $OUT (RATE=$RATE DURATION=$DURATION BOOK_DURATION=$BOOK_DURATION BOOK_CONNS=$BOOK_CONNS)"
for backend in $BACKENDS; do
  for b in "${builds[@]}"; do
    IFS='|' read -r build bin seedbin <<<"$b"
    case "$backend" in
      sqlite)
        run "$build" "$bin" "$seedbin" sqlite "$OUT/$build.sqlite.db" ;;
      postgres)
        db="janji_perf_${build}_$$"
        psql "$PG_ADMIN_URL" -qc "CREATE DATABASE $db"
        run "$build" "$bin" "$seedbin" postgres "${PG_ADMIN_URL%/*}/$db"
        psql "$PG_ADMIN_URL" -qc "DROP DATABASE $db WITH (FORCE)" ;;
      *) echo "unknown backend $backend" >&2; exit 1 ;;
    esac
  done
done
echo "results: $OUT/results.tsv"
echo
# The same as a Markdown table, with each phase against its baseline: reads against
# /healthz (CPU per request), bookings against the single-row inserts (rate).
python3 - "$OUT/results.tsv" <<'PY' | tee "$OUT/results.md"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
by = {(r["build"], r["backend"], r["phase"]): r for r in rows}
print("| build | backend | workload | served | rate/s | p50 ms | p99 ms | p99.9 ms | non-2xx "
      "| CPU ms/req | against baseline | peak RSS MB |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
for r in rows:
    b, k, ph = r["build"], r["backend"], r["phase"]
    if ph == "rss_start":
        print(f"| {b} | {k} | RSS right after start | | | | | | | | | {r['hwm_mb']} (VmRSS) |")
        continue
    vs = ""
    try:
        if ph.startswith(("avail", "suggest")):
            h = float(by[(b, k, "healthz")]["cpu_ms_per_req"])
            vs = "CPU %.1f× /healthz" % (float(r["cpu_ms_per_req"]) / h) if h > 0 else ""
        elif ph.startswith("book_"):
            base = [v for (bb, kk, pp), v in by.items() if bb == b and kk == k
                    and pp.startswith(("pgbench", "sqlite_insert"))][0]
            vs = "%.1f %% of inserts (%s/s)" % (100 * float(r["rate"]) / float(base["rate"]), base["rate"])
            own = [v for (bb, kk, pp), v in by.items() if bb == b and kk == k
                   and pp.startswith("booking_sql")]
            if own:
                vs += "; %.0f %% of its own SQL (%s/s)" % (100 * float(r["rate"]) / float(own[0]["rate"]),
                                                          own[0]["rate"])
    except (KeyError, IndexError, ValueError):
        pass
    hwm = r["hwm_mb"] if r["hwm_mb"] != "0" else ""
    print(f"| {b} | {k} | {ph} | {r['requests']} | {r['rate']} | {r['p50_ms']} | {r['p99_ms']} "
          f"| {r['p999_ms']} | {r['non2xx']} | {r['cpu_ms_per_req']} | {vs} | {hwm} |")
PY
