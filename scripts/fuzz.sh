#!/usr/bin/env bash
# Fuzz the running server against its own OpenAPI document with Schemathesis.
#
#   scripts/fuzz.sh sqlite|postgres
#
# Builds `janji`, gives it a fresh database of the named backend, seeds the demo dealer
# (`janji demo`, whose admin key authenticates every request), serves it on a free loopback
# port, runs `schemathesis run` with every check, a bounded number of examples and a fixed
# seed, and exits non-zero on any failure. The server is stopped and the database removed
# whatever happens. scripts/fuzz_hooks.py makes the generated traffic realistic (seeded ids,
# fresh Idempotency-Keys, current If-Match, windows and starts the server's rules allow);
# docs/fuzzing.md says what it does and why each of its rules is one the spec states.
#
# Environment (all optional):
#   FUZZ_MAX_EXAMPLES   examples per operation and phase (default 25)
#   FUZZ_SEED           Hypothesis seed (default 20261130)
#   FUZZ_WORKERS        concurrent Schemathesis workers (default 1: the hooks read the
#                       server's state before a request, which another worker could change)
#   FUZZ_POSTGRES_URL   server to create the database on
#                       (default postgres://postgres@127.0.0.1:5432/postgres)
#   FUZZ_REPORT_DIR     where to keep the run's NDJSON events and the server log
#                       (default: a temporary directory, removed at the end)
#   FUZZ_VENV           virtualenv holding Schemathesis (default .venv in the repository)
#   Extra arguments after the backend go to `schemathesis run` as they are, e.g.
#   `scripts/fuzz.sh sqlite --include-path-regex customers`.
set -euo pipefail

backend="${1:-}"
case "$backend" in
  sqlite | postgres) shift ;;
  *)
    echo "usage: $0 sqlite|postgres [schemathesis options...]" >&2
    exit 2
    ;;
esac

cd "$(dirname "$0")/.."
repo="$(pwd)"

max_examples="${FUZZ_MAX_EXAMPLES:-25}"
seed="${FUZZ_SEED:-20261130}"
workers="${FUZZ_WORKERS:-1}"
pg_admin_url="${FUZZ_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
venv="${FUZZ_VENV:-$repo/.venv}"
schemathesis_version="4.32.5"

work="$(mktemp -d -t janji-fuzz.XXXXXX)"
report_dir="${FUZZ_REPORT_DIR:-$work/report}"
mkdir -p "$report_dir"
server_pid=""
pg_db=""

cleanup() {
  local rc=$?
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [[ -n "$pg_db" ]]; then
    psql "$pg_admin_url" -qtAc "DROP DATABASE IF EXISTS \"$pg_db\" WITH (FORCE)" >/dev/null ||
      echo "fuzz: could not drop database $pg_db" >&2
  fi
  if [[ -z "${FUZZ_REPORT_DIR:-}" && $rc -ne 0 && -f "$report_dir/server.log" ]]; then
    echo "fuzz: last lines of the server log:" >&2
    tail -n 20 "$report_dir/server.log" >&2 || true
  fi
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Schemathesis, pinned, in the repository's ignored virtualenv.
if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -q "$schemathesis_version"; then
  echo "fuzz: installing schemathesis $schemathesis_version into $venv"
  if ! python3 -m venv "$venv" 2>/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
    python3 -m venv "$venv"
  fi
  "$venv/bin/pip" install -q --disable-pip-version-check "schemathesis==$schemathesis_version"
fi

echo "fuzz: building janji"
cargo build --quiet --bin janji
janji="${CARGO_TARGET_DIR:-$repo/target}/debug/janji"

case "$backend" in
  sqlite)
    database_url="$work/janji.db"
    ;;
  postgres)
    pg_db="janji_fuzz_$(date +%s)_$$"
    psql "$pg_admin_url" -qtAc "CREATE DATABASE \"$pg_db\"" >/dev/null
    database_url="${pg_admin_url%/*}/$pg_db"
    ;;
esac

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
export DATABASE_URL="$database_url" JANJI_BIND="127.0.0.1:$port"
# The hooks point the gateway at a closed loopback port; the key file stays in $work.
export JANJI_ALLOW_PRIVATE_TARGETS=true JANJI_SECRET_KEY_FILE="$work/janji.key"
# Every request comes from loopback: the link endpoints' limit per address would leave
# them untested (each request gets a link of its own, so the limit per link holds).
export JANJI_LINK_REQUESTS_PER_MINUTE=1000000
export RUST_LOG="${RUST_LOG:-warn}"

# The demo dealer gives the fuzzer real ids to find (a location with hours, resources,
# services, customers, closures, a policy); its admin key is printed once, indented.
seed_out="$("$janji" demo)"
key="$(printf '%s\n' "$seed_out" | sed -n '/shown only this once/,$p' | awk 'NF == 1 && /^ +/ { print $1; exit }')"
if [[ -z "$key" ]]; then
  echo "fuzz: no admin key in the output of 'janji demo':" >&2
  printf '%s\n' "$seed_out" >&2
  exit 1
fi

"$janji" serve >"$report_dir/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  curl -fsS "$base/healthz" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$report_dir/server.log" >&2; exit 1; }
  sleep 0.1
done
curl -fsS "$base/healthz" >/dev/null

echo "fuzz: $backend backend, $base, max examples $max_examples, seed $seed"
export FUZZ_BASE_URL="$base" FUZZ_API_KEY="$key" SCHEMATHESIS_HOOKS="$repo/scripts/fuzz_hooks.py"
"$venv/bin/schemathesis" run "$base/openapi.json" \
  --checks all \
  --max-examples "$max_examples" \
  --seed "$seed" \
  --workers "$workers" \
  --generation-database none \
  --header "Authorization: Bearer $key" \
  --request-timeout 30 \
  --report ndjson --report-dir "$report_dir" \
  --no-color \
  "$@"
