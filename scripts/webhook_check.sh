#!/usr/bin/env bash
# Verifies the signatures of Janji's messages and integration webhook events with the
# official Standard Webhooks package (scripts/webhook_check.py says how), including during
# a rotation's overlap, against a fresh server on a temporary SQLite file
# seeded with the demo dealer. Installs the pinned `standardwebhooks` into .venv.
#
#   scripts/webhook_check.sh        (JANJI_BIN=path skips the cargo build)
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$(pwd)"
venv="${FUZZ_VENV:-$repo/.venv}"
[[ -x "$venv/bin/python" ]] || python3 -m venv "$venv"
"$venv/bin/python" -c 'import standardwebhooks' 2>/dev/null ||
  "$venv/bin/pip" install --quiet "standardwebhooks==1.1.0"

if [[ -z "${JANJI_BIN:-}" ]]; then
  cargo build --quiet --bin janji
  JANJI_BIN=target/debug/janji
fi
work="$(mktemp -d -t janji-webhooks.XXXXXX)"
server_pid=""
cleanup() {
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
export DATABASE_URL="$work/janji.db" JANJI_BIND="127.0.0.1:$port" RUST_LOG=warn \
  JANJI_SECRET_KEY_FILE="$work/janji.key" JANJI_ALLOW_PRIVATE_TARGETS=true
seed_out="$("$JANJI_BIN" demo)"
key="$(printf '%s\n' "$seed_out" | sed -n '/shown only this once/,$p' | awk 'NF == 1 && /^ +/ { print $1; exit }')"
[[ -n "$key" ]] || { echo "webhook check: no admin key from 'janji demo'" >&2; exit 1; }
"$JANJI_BIN" serve >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
CHECK_BASE_URL="http://127.0.0.1:$port" CHECK_API_KEY="$key" "$venv/bin/python" scripts/webhook_check.py ||
  { tail -n 30 "$work/server.log" >&2; exit 1; }
