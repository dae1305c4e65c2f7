#!/usr/bin/env bash
# The delivery figures of the Reminders issue (11): deliveries per second from the outbox
# to a loopback receiver, and the lag from a message's due instant to its arrival, on
# SQLite (one `janji dispatch`) and PostgreSQL (three), loopback only, bounded in time.
#
# Per backend, on a fresh database each time, examples/delivery_bench.rs seeds one
# organization whose gateway is the receiver (examples/delivery_bench.rs `receive`: one
# actix-web worker answering 200 at once, noting each `webhook-id` and arrival instant):
#
#   burst    N messages all due at the same instant: the backlog drain, deliveries/s
#   steady   RATE messages a second for SECONDS, due evenly spread: due→received lag
#   ceiling  the receiver alone under wrk (POSTs of the same payload, CONNS connections):
#            what the receiver can take, so the burst rate shows who is the bottleneck
#
# Per phase: deliveries, deliveries/s (first to last arrival), due→received lag
# p50/p99/max, duplicates (a webhook-id that arrived more than once), lost (seeded, never
# arrived), and CPU per delivery (utime+stime from /proc/PID/stat) of the dispatchers,
# the receiver and the whole machine (/proc/stat, PostgreSQL included).
#
#   benches/deliveries.sh                       # profiling build of this tree
#   BACKENDS=postgres N=20000 benches/deliveries.sh
#   PG_DISPATCHERS=1 benches/deliveries.sh      # one dispatcher on PostgreSQL too
#
# Needs wrk and psql (Debian packages `wrk`, `postgresql-client`). Results: one line per
# phase, and the raw files and results.tsv / results.md in OUT (default: under /tmp).
set -euo pipefail
cd "$(dirname "$0")/.."

N="${N:-20000}"
RATE="${RATE:-1000}"
SECONDS_STEADY="${SECONDS_STEADY:-10}"
CONNS="${CONNS:-64}"
BACKENDS="${BACKENDS:-sqlite postgres}"
SQLITE_DISPATCHERS="${SQLITE_DISPATCHERS:-1}"
PG_DISPATCHERS="${PG_DISPATCHERS:-3}"
PORT="${PORT:-18330}"
PG_ADMIN_URL="${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
KEY="${JANJI_SECRET_KEY:-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef}"
if [ -z "${JANJI_BIN:-}" ]; then
  nice cargo build --profile profiling --quiet --bin janji --example delivery_bench
fi
JANJI_BIN="${JANJI_BIN:-target/profiling/janji}"
BENCH_BIN="${BENCH_BIN:-target/profiling/examples/delivery_bench}"
OUT="${OUT:-$(mktemp -d /tmp/janji-deliveries.XXXXXX)}"
mkdir -p "$OUT"
for tool in wrk python3; do
  command -v "$tool" >/dev/null || { echo "$tool not found (see the head of $0)" >&2; exit 1; }
done

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

TICK=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# Busy ticks of the whole machine (all but idle and iowait).
machine_ticks() { awk '$1 == "cpu" {print $2 + $3 + $4 + $7 + $8}' /proc/stat; }

printf 'backend\tphase\tdispatchers\tseeded\tdelivered\trate\tp50_ms\tp99_ms\tmax_ms\tduplicates\tlost\tdispatch_cpu_ms\treceiver_cpu_ms\tmachine_cpu_ms\n' >"$OUT/results.tsv"

# deliver BACKEND PHASE URL COUNT SPREAD_MS DISPATCHERS
deliver() {
  local backend=$1 phase=$2 url=$3 count=$4 spread=$5 ndisp=$6
  local tag="$backend.$phase"
  local timeout=$(( spread / 1000 + 120 ))
  "$BENCH_BIN" receive "$PORT" "$count" "$timeout" "$OUT/$tag.received" &
  local receiver=$!
  pids+=("$receiver")
  for _ in $(seq 1 50); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.1; done
  # Due 3 s after seeding starts: the seeding and the dispatchers' start fit before it.
  "$BENCH_BIN" seed "$url" "$count" "$spread" 3000 "http://127.0.0.1:$PORT/hook" "$OUT/$tag.seeded" >"$OUT/$tag.seed.txt"
  local disp=() d
  for _ in $(seq 1 "$ndisp"); do
    RUST_LOG=warn DATABASE_URL="$url" JANJI_SECRET_KEY="$KEY" JANJI_ALLOW_PRIVATE_TARGETS=true \
      "$JANJI_BIN" dispatch >>"$OUT/$tag.dispatch.log" 2>&1 &
    disp+=($!); pids+=($!)
  done
  local m0 r0 d0=0
  m0=$(machine_ticks); r0=$(cpu_ticks "$receiver")
  wait "$receiver" || true
  local m1 r1 d1=0
  m1=$(machine_ticks)
  # The receiver has exited: its CPU is in its last /proc reading, taken just before.
  r1=$(cat "$OUT/$tag.received.ticks" 2>/dev/null || echo "")
  for d in "${disp[@]}"; do d1=$(( d1 + $(cpu_ticks "$d") )); kill "$d"; done
  for d in "${disp[@]}"; do wait "$d" 2>/dev/null || true; done
  python3 - "$OUT/$tag.seeded" "$OUT/$tag.received" "$backend" "$phase" "$ndisp" \
    "$d1" "$(( m1 - m0 ))" "$TICK" "${r1:--}" <<'PY' | tee -a "$OUT/results.tsv"
import sys
seeded_f, received_f, backend, phase, ndisp, dticks, mticks, hz, rticks = sys.argv[1:]
due = dict(l.split() for l in open(seeded_f))
due = {k: int(v) for k, v in due.items()}
first, count = {}, {}
for line in open(received_f):
    i, at = line.split()
    at = int(at)
    count[i] = count.get(i, 0) + 1
    if i not in first or at < first[i]:
        first[i] = at
arrived = [first[i] for i in due if i in first]
lags = sorted((first[i] - due[i]) / 1000 for i in due if i in first)
lost = sum(1 for i in due if i not in first)
dups = sum(1 for i in count if count[i] > 1)
n = len(arrived)
span = (max(arrived) - min(arrived)) / 1e6 if n > 1 else 0
rate = (n - 1) / span if span > 0 else 0
q = lambda f: "%.0f" % lags[min(n - 1, int(f * n))] if n else "-"
per = lambda t: "%.3f" % (int(t) * 1000 / int(hz) / n) if n and t != "-" else "-"
print("\t".join(map(str, [backend, phase, ndisp, len(due), n, "%.0f" % rate, q(0.5), q(0.99),
      "%.0f" % lags[-1] if n else "-", dups, lost, per(dticks), per(rticks), per(mticks)])))
PY
}

# The receiver's own ceiling: wrk POSTing the seeded payload size for 10 s.
ceiling() {
  local backend=$1
  local tag="$backend.ceiling"
  "$BENCH_BIN" receive "$PORT" 1000000000 15 "$OUT/$tag.received" &
  local receiver=$!
  pids+=("$receiver")
  for _ in $(seq 1 50); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.1; done
  local body
  body=$(head -c 420 /dev/zero | tr '\0' 'x')
  cat >"$OUT/post.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"p":"$body"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["webhook-id"] = "msg_ceiling"
done = function(summary, latency, requests)
  io.write(string.format("SUMMARY %d %.0f %.2f %.2f\n", summary.requests,
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000))
end
LUA
  local m0 r0 m1 r1
  m0=$(machine_ticks); r0=$(cpu_ticks "$receiver")
  wrk -t1 -c"$CONNS" -d10s -s "$OUT/post.lua" "http://127.0.0.1:$PORT/hook" >"$OUT/$tag.wrk.txt"
  m1=$(machine_ticks); r1=$(cpu_ticks "$receiver")
  kill "$receiver"; wait "$receiver" 2>/dev/null || true
  local s
  read -r -a s <<<"$(awk '$1 == "SUMMARY" {print $2, $3, $4, $5}' "$OUT/$tag.wrk.txt")"
  awk -v b="$backend" -v n="${s[0]}" -v r="${s[1]}" -v p50="${s[2]}" -v p99="${s[3]}" \
    -v rt=$((r1 - r0)) -v mt=$((m1 - m0)) -v hz="$TICK" -v c="$CONNS" 'BEGIN {
    printf "%s\twrk_c%s\t-\t-\t%d\t%s\t%s\t%s\t-\t-\t-\t-\t%.3f\t%.3f\n", b, c, n, r, p50, p99,
      rt * 1000 / hz / n, mt * 1000 / hz / n }' | tee -a "$OUT/results.tsv"
}

run_backend() {
  local backend=$1 ndisp=$2 url
  for phase in burst steady; do
    case "$backend" in
      sqlite) url="$OUT/$phase.sqlite.db" ;;
      postgres)
        local db="janji_deliveries_${phase}_$$"
        psql "$PG_ADMIN_URL" -qc "CREATE DATABASE $db"
        url="${PG_ADMIN_URL%/*}/$db" ;;
    esac
    if [ "$phase" = burst ]; then
      deliver "$backend" burst "$url" "$N" 0 "$ndisp"
    else
      deliver "$backend" steady "$url" $(( RATE * SECONDS_STEADY )) $(( SECONDS_STEADY * 1000 )) "$ndisp"
    fi
    [ "$backend" = postgres ] && psql "$PG_ADMIN_URL" -qc "DROP DATABASE $db WITH (FORCE)"
  done
  ceiling "$backend"
}

echo "results in $OUT (N=$N RATE=$RATE SECONDS_STEADY=$SECONDS_STEADY CONNS=$CONNS)"
echo "columns: $(head -1 "$OUT/results.tsv")"
for backend in $BACKENDS; do
  case "$backend" in
    sqlite) run_backend sqlite "$SQLITE_DISPATCHERS" ;;
    postgres) run_backend postgres "$PG_DISPATCHERS" ;;
    *) echo "unknown backend $backend" >&2; exit 1 ;;
  esac
done
echo
python3 - "$OUT/results.tsv" <<'PY' | tee "$OUT/results.md"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
ceil = {r["backend"]: float(r["rate"]) for r in rows if r["phase"].startswith("wrk")}
print("| backend | phase | dispatchers | seeded | delivered | per s | of receiver ceiling "
      "| lag p50 ms | p99 ms | max ms | dup | lost | CPU ms/delivery: dispatchers | receiver | machine |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for r in rows:
    of = ""
    if not r["phase"].startswith("wrk") and r["backend"] in ceil:
        of = "%.0f %%" % (100 * float(r["rate"]) / ceil[r["backend"]])
    print(f"| {r['backend']} | {r['phase']} | {r['dispatchers']} | {r['seeded']} | {r['delivered']} "
          f"| {r['rate']} | {of} | {r['p50_ms']} | {r['p99_ms']} | {r['max_ms']} | {r['duplicates']} "
          f"| {r['lost']} | {r['dispatch_cpu_ms']} | {r['receiver_cpu_ms']} | {r['machine_cpu_ms']} |")
PY
