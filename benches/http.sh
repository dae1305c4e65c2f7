#!/usr/bin/env bash
# HTTP figures for the suggestions endpoint at a fixed request rate, on SQLite and on
# PostgreSQL, with the data of the criterion benchmark: one location, 20 resources,
# 5,000 appointments over 8 weeks. Loopback only; every run is bounded in time.
#
#   benches/http.sh                 # needs oha (cargo install oha --locked)
#   PG_ADMIN_URL=postgres://postgres@127.0.0.1:5432/postgres RATE=200 DURATION=20s benches/http.sh
set -euo pipefail
cd "$(dirname "$0")/.."

RATE="${RATE:-200}"
DURATION="${DURATION:-20s}"
PORT="${PORT:-18300}"
PG_ADMIN_URL="${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
command -v oha >/dev/null || { echo "oha not found: cargo install oha --locked" >&2; exit 1; }

cargo build --release --quiet --bin janji --example bench_seed
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

run() {
  local name=$1 url=$2
  echo "== $name"
  DATABASE_URL="$url" target/release/examples/bench_seed | tee "$work/$name.seed"
  local key loc svc
  key=$(awk '/^admin_key/ {print $2}' "$work/$name.seed")
  loc=$(awk '/^location_id/ {print $2}' "$work/$name.seed")
  svc=$(awk '/^service_id/ {print $2}' "$work/$name.seed")
  RUST_LOG=warn DATABASE_URL="$url" JANJI_BIND="127.0.0.1:$PORT" target/release/janji serve >/dev/null 2>&1 &
  local pid=$!
  for _ in $(seq 1 50); do curl -fs "127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.2; done
  # A busy time: the middle of the booked weeks, mid-morning.
  local near
  near=$(date -u -d "+28 days" +%Y-%m-%dT03:00:00Z)
  local path="/v1/availability/suggestions?location_id=$loc&service_id=$svc&near=$near&limit=10"
  curl -fs -H "Authorization: Bearer $key" "127.0.0.1:$PORT$path" | head -c 300 || true; echo
  oha --no-tui -q "$RATE" -z "$DURATION" -H "Authorization: Bearer $key" "http://127.0.0.1:$PORT$path" \
    | grep -E "Success rate|Requests/sec|50.00%|90.00%|99.00%|99.90%|\[2|\[4|\[5"
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

run sqlite "$work/bench.db"
db="janji_http_bench_$$"
psql "$PG_ADMIN_URL" -qc "CREATE DATABASE $db"
run postgres "${PG_ADMIN_URL%/*}/$db"
psql "$PG_ADMIN_URL" -qc "DROP DATABASE $db WITH (FORCE)"
