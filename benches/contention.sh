#!/usr/bin/env bash
# Writers and readers at once: 64 connections creating customers (each a write
# transaction) beside 16 connections listing them, for DURATION, on SQLite and then on
# PostgreSQL. Closed loop (wrk keeps every connection busy), loopback only. What to look
# for: no non-2xx answers (no 503 from a writer queue, no 500), and the readers' p99 not
# tied to the writers' (a read never waits on the write lock).
#
#   benches/contention.sh                          # needs wrk (Debian package `wrk`)
#   DURATION=30s WRITERS=64 READERS=16 benches/contention.sh
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${DURATION:-20s}"
WRITERS="${WRITERS:-64}"
READERS="${READERS:-16}"
PORT="${PORT:-18310}"
PG_ADMIN_URL="${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
command -v wrk >/dev/null || { echo "wrk not found (Debian package wrk)" >&2; exit 1; }

# JANJI_BIN: a janji binary already built (skips the release build).
BIN="${JANJI_BIN:-target/release/janji}"
[ -n "${JANJI_BIN:-}" ] || cargo build --release --quiet --bin janji
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

cat > "$work/write.lua" <<'LUA'
local n = 0
local key = os.getenv("JANJI_KEY")
request = function()
  n = n + 1
  local phone = string.format("+62812%08d", math.random(0, 99999999))
  local body = string.format('{"name":"Pelanggan %d-%d","phone":"%s"}', n, math.random(1, 1e9), phone)
  return wrk.format("POST", "/v1/customers",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. key}, body)
end
LUA
cat > "$work/read.lua" <<'LUA'
local key = os.getenv("JANJI_KEY")
request = function()
  return wrk.format("GET", "/v1/customers?limit=50", {["Authorization"] = "Bearer " .. key})
end
LUA

run() {
  local name=$1 url=$2
  echo "== $name: $WRITERS writers, $READERS readers, $DURATION"
  RUST_LOG=warn DATABASE_URL="$url" JANJI_BIND="127.0.0.1:$PORT" "$BIN" serve >"$work/$name.out" 2>&1 &
  local pid=$!
  for _ in $(seq 1 100); do curl -fs "127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.1; done
  local key
  key=$(grep -o 'jnj_[A-Za-z0-9_-]*' "$work/$name.out" | head -n 1)
  export JANJI_KEY="$key"
  wrk -t1 -c"$READERS" -d"$DURATION" --latency -s "$work/read.lua" "http://127.0.0.1:$PORT" >"$work/$name.read" &
  local readers=$!
  wrk -t1 -c"$WRITERS" -d"$DURATION" --latency -s "$work/write.lua" "http://127.0.0.1:$PORT" >"$work/$name.write"
  wait "$readers"
  for side in write read; do
    echo "-- ${side}s"
    grep -E "Requests/sec|^ +50%|^ +99%|requests in|Non-2xx|Socket errors" "$work/$name.$side" || true
  done
  ps -o rss=,cputime= -p "$pid" | awk '{print "-- server RSS " int($1/1024) " MB, CPU " $2}'
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

run sqlite "$work/contention.db"
db="janji_contention_$$"
psql "$PG_ADMIN_URL" -qc "CREATE DATABASE $db"
run postgres "${PG_ADMIN_URL%/*}/$db"
psql "$PG_ADMIN_URL" -qc "DROP DATABASE $db WITH (FORCE)"
