#!/usr/bin/env bash
# The walk-through of docs/getting-started.md, run against a fresh server and checked.
#
# Starts a debug build of `janji` on a temporary SQLite file and a free loopback port,
# takes the admin key the first start prints, then tells the story: a dealer sets up a
# location, resources, a service and a customer; books, is refused and offered other
# times; the front desk confirms and cancels; a reschedule policy quotes, charges, waives
# and refuses moves; fees are settled. Dates are computed from today (Asia/Jakarta), so
# the story never goes stale. Every important outcome is asserted: the script exits
# non-zero at the first mismatch, and removes the server and its files on exit.
#
# Usage: bash examples/walkthrough.sh        (JANJI_BIN=path skips the cargo build)
# Needs: cargo (unless JANJI_BIN is set), curl, python3.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -z "${JANJI_BIN:-}" ]]; then
  cargo build --quiet --bin janji
  JANJI_BIN=target/debug/janji
fi

work=$(mktemp -d)
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

started=$(date +%s)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export JANJI="http://127.0.0.1:$port"
DATABASE_URL="$work/janji.db" JANJI_BIND="127.0.0.1:$port" JANJI_SECRET_KEY_FILE="$work/janji.key" \
  RUST_LOG=warn "$JANJI_BIN" serve >"$work/server.out" 2>"$work/server.err" &
server_pid=$!

for _ in $(seq 1 100); do
  curl -fs "$JANJI/healthz" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.err" >&2; exit 1; }
  sleep 0.1
done

# ---------------------------------------------------------------- helpers

step() { printf '\n== %s\n' "$*"; }
fail() {
  printf 'FAIL: %s\n' "$*" >&2
  printf -- '--- last response (%s):\n' "${status:-?}" >&2
  cat "$work/body" >&2 2>/dev/null || true
  printf '\n' >&2
  exit 1
}

# call METHOD PATH KEY [BODY] [extra curl arguments...]: sets $status, body in $work/body.
call() {
  local method=$1 path=$2 key=$3 body=${4:-}
  shift 3
  [[ $# -gt 0 ]] && shift
  local args=(-s -o "$work/body" -D "$work/headers" -w '%{http_code}' -X "$method"
    -H "Authorization: Bearer $key")
  [[ -n "$body" ]] && args+=(-H 'Content-Type: application/json' --data-binary "$body")
  status=$(curl "${args[@]}" "$@" "$JANJI$path")
}

# json EXPR: a Python expression over the last body `j`, printed (JSON for non-strings).
json() {
  python3 - "$1" "$work/body" <<'PY'
import json, sys
j = json.load(open(sys.argv[2]))
v = eval(sys.argv[1], {"j": j})
print(v if isinstance(v, str) else json.dumps(v))
PY
}

expect_status() { [[ "$status" == "$1" ]] || fail "expected HTTP $1, got $status"; echo "  HTTP $status"; }
expect() { # expect EXPR WANTED
  local got
  got=$(json "$1") || fail "cannot read $1"
  [[ "$got" == "$2" ]] || fail "$1: expected $2, got $got"
  echo "  $1 = $got"
}
expect_header() { # expect_header NAME WANTED
  local got
  got=$(tr -d '\r' <"$work/headers" | awk -v n="$1" 'tolower($1) == tolower(n) ":" { $1 = ""; sub(/^ /, ""); print }')
  [[ "$got" == "$2" ]] || fail "header $1: expected $2, got '$got'"
  echo "  $1: $got"
}

# Dates, from today in Asia/Jakarta (UTC+7 all year: no DST).
read -r MON TUE_D WED_D XMAS < <(python3 - <<'PY'
from datetime import datetime, timedelta, timezone, date
today = datetime.now(timezone(timedelta(hours=7))).date()
# The first Monday at least two days ahead, so check-in (12 h before) is not yet open.
mon = today + timedelta(days=2)
mon += timedelta(days=(7 - mon.weekday()) % 7)
xmas = date(today.year, 12, 25)
if xmas <= today:
    xmas = date(today.year + 1, 12, 25)
print(mon, mon + timedelta(days=1), mon + timedelta(days=2), xmas)
PY
)
# in_hours H: now + H hours rounded up to a quarter hour, RFC 3339 in WIB.
in_hours() {
  python3 - "$1" <<'PY'
import sys
from datetime import datetime, timedelta, timezone
wib = timezone(timedelta(hours=7))
t = datetime.now(wib) + timedelta(hours=float(sys.argv[1]))
t = t.replace(second=0, microsecond=0) + timedelta(minutes=15 - t.minute % 15)
print(t.isoformat())
PY
}

# ---------------------------------------------------------------- 1. set-up

step "The first start printed the admin key"
KEY=$(awk '/^ +jnj_/ { print $1; exit }' "$work/server.out")
[[ -n "$KEY" ]] || { cat "$work/server.out" >&2; fail "no admin key on the first start"; }
echo "  ${KEY:0:16}…"

step "The organization; renaming it with If-Match"
call GET /v1/organization "$KEY"
expect_status 200
expect 'j["time_zone"]' Asia/Jakarta
expect 'j["version"]' 1
expect_header etag '"1"'
call PATCH /v1/organization "$KEY" '{"name": "Sinar Motor"}' -H 'If-Match: "1"'
expect_status 200
expect 'j["name"]' 'Sinar Motor'
expect 'j["version"]' 2
call PATCH /v1/organization "$KEY" '{"name": "Sinar Motor"}' -H 'If-Match: "1"'
expect_status 412
expect 'j["code"]' version_mismatch
expect 'j["data"]["current_version"]' 2

step "A location with weekly opening hours, created idempotently"
hours='{"start": "08:00", "end": "12:00"}, {"start": "13:00", "end": "16:00"}'
location='{"name": "Sinar Motor Kemayoran",
  "address": "Jl. Industri Raya No. 12, Kemayoran, Jakarta Pusat", "phone": "+62214261234",
  "weekly_hours": {"mon": ['"$hours"'], "tue": ['"$hours"'], "wed": ['"$hours"'],
                   "thu": ['"$hours"'], "fri": ['"$hours"'],
                   "sat": [{"start": "08:00", "end": "13:00"}]}}'
call POST /v1/locations "$KEY" "$location" -H 'Idempotency-Key: loc-kemayoran-1'
expect_status 201
expect 'j["time_zone"]' Asia/Jakarta
expect 'j["weekly_hours"]["sun"]' '[]'
LOC=$(json 'j["id"]')
call POST /v1/locations "$KEY" "$location" -H 'Idempotency-Key: loc-kemayoran-1'
expect_status 201
expect_header idempotent-replayed true
expect 'j["id"]' "$LOC"
call POST /v1/locations "$KEY" '{"name": "Another"}' -H 'Idempotency-Key: loc-kemayoran-1'
expect_status 422
expect 'j["code"]' idempotency_key_reused

step "A closure for Christmas ($XMAS), a whole local day"
call POST "/v1/locations/$LOC/closures" "$KEY" '{"date": "'"$XMAS"'", "reason": "Hari Raya Natal"}'
expect_status 201
expect 'j["starts_at"]' "$(python3 -c "import datetime as d; print((d.date.fromisoformat('$XMAS') - d.timedelta(days=1)).isoformat())")T17:00:00Z"

step "Resources: two bays and two advisors"
for r in "Bay 1:service_bay" "Andi:service_advisor" "Bay 2:service_bay" "Sari:service_advisor"; do
  call POST /v1/resources "$KEY" '{"location_id": "'"$LOC"'", "name": "'"${r%%:*}"'", "kind": "'"${r##*:}"'"}'
  expect_status 201
  expect 'j["weekly_hours"]' null
  [[ "${r%%:*}" == Andi ]] && ANDI=$(json 'j["id"]')
done

step "A service, a customer (found again by its phone as typed), and a bad phone number"
call POST /v1/services "$KEY" '{"name": "Servis berkala", "duration_minutes": 60,
  "buffer_after_minutes": 10, "resource_kinds": ["service_bay", "service_advisor"]}'
expect_status 201
SVC=$(json 'j["id"]')
call POST /v1/customers "$KEY" '{"name": "Budi Santoso", "phone": "+6281234567890", "external_ref": "wa-6281234567890"}'
expect_status 201
expect 'j["preferred_channel"]' whatsapp
CUST=$(json 'j["id"]')
call POST /v1/customers "$KEY" '{"name": "Budi", "phone": "0812-3456-7890"}'
expect_status 200
expect 'j["id"]' "$CUST"
expect 'j["matched"]' true
call POST /v1/customers "$KEY" '{"name": "Siti Rahma", "phone": "0812"}'
expect_status 422
expect 'j["code"]' invalid_phone
expect 'j["field"]' phone

step "Lists page with limit and cursor"
call GET '/v1/resources?limit=1' "$KEY"
expect_status 200
expect 'len(j["items"])' 1
cursor=$(json 'j["next_cursor"]')
call GET "/v1/resources?limit=3&cursor=$cursor" "$KEY"
expect_status 200
expect 'len(j["items"])' 3
expect 'j["next_cursor"]' null

step "A key for the front desk; it cannot change the configuration"
call POST /v1/api-keys "$KEY" '{"name": "front desk", "role": "staff"}'
expect_status 201
STAFF=$(json 'j["secret"]')
call POST /v1/services "$STAFF" '{"name": "Cuci motor", "duration_minutes": 30, "resource_kinds": ["service_bay"]}'
expect_status 403
expect 'j["code"]' forbidden

# ---------------------------------------------------------------- 2. appointments

step "Availability on Monday $MON: 08:00-11:00 and 13:00-15:00 every 15 minutes"
call GET "/v1/availability?location_id=$LOC&service_id=$SVC&from=${MON}T00:00:00%2B07:00&to=${MON}T23:59:00%2B07:00" "$KEY"
expect_status 200
expect 'len(j["slots"])' 22
expect 'j["slots"][0]["local"]["label"]' '08:00 WIB'
expect 'j["slots"][-1]["local"]["label"]' '15:00 WIB'
call GET "/v1/availability?location_id=$LOC&service_id=$SVC&from=${MON}T00:00:00+07:00&to=${MON}T23:59:00%2B07:00" "$KEY"
expect_status 400
expect 'j["code"]' invalid_query
expect 'j["field"]' from

step "Booking Budi with Andi at 09:00"
booking='{"location_id": "'"$LOC"'", "service_id": "'"$SVC"'", "start": "'"$MON"'T09:00:00+07:00",
  "customer_id": "'"$CUST"'", "resource_id": "'"$ANDI"'", "notes": "Ganti kampas rem juga"}'
call POST /v1/appointments "$KEY" "$booking"
expect_status 201
expect 'j["status"]' booked
expect 'j["local"]["label"]' '09:00 WIB'
expect 'sorted(r["name"] for r in j["resources"])' '["Andi", "Bay 1"]'
APPT=$(json 'j["id"]')

step "The same booking again: Andi is taken; the alternatives keep Andi"
call POST /v1/appointments "$KEY" "$booking"
expect_status 409
expect 'j["code"]' slot_unavailable
expect 'len(j["data"]["alternatives"])' 3
expect 'all("Andi" in [r["name"] for r in a["resources"]] for a in j["data"]["alternatives"])' true
expect '"09:00 WIB" in [a["local"]["label"] for a in j["data"]["alternatives"]]' false

step "Without the pin, 09:00 is still offered, with the other pair"
call GET "/v1/availability?location_id=$LOC&service_id=$SVC&from=${MON}T09:00:00%2B07:00&to=${MON}T09:01:00%2B07:00" "$KEY"
expect_status 200
expect 'sorted(r["name"] for r in j["slots"][0]["resources"])' '["Bay 2", "Sari"]'
call GET "/v1/availability?location_id=$LOC&service_id=$SVC&resource_id=$ANDI&from=${MON}T09:00:00%2B07:00&to=${MON}T09:01:00%2B07:00" "$KEY"
expect 'j["slots"]' '[]'

step "11:30 runs into the lunch break"
call POST /v1/appointments "$KEY" '{"location_id": "'"$LOC"'", "service_id": "'"$SVC"'",
  "start": "'"$MON"'T11:30:00+07:00", "customer_id": "'"$CUST"'"}'
expect_status 422
expect 'j["code"]' outside_opening_hours
expect '[a["local"]["label"] for a in j["data"]["alternatives"]]' '["11:00 WIB", "10:45 WIB", "10:30 WIB"]'
call POST /v1/appointments "$KEY" '{"location_id": "'"$LOC"'", "service_id": "'"$SVC"'",
  "start": "'"$MON"'T09:00:00", "customer_id": "'"$CUST"'"}'
expect_status 400
expect 'j["code"]' invalid_field

step "The front desk confirms; no-show and check-in are too early"
call POST "/v1/appointments/$APPT/confirm" "$STAFF"
expect_status 200
expect 'j["status"]' confirmed
expect 'j["version"]' 2
call POST "/v1/appointments/$APPT/no-show" "$STAFF"
expect_status 409
expect 'j["code"]' appointment_not_started
call POST "/v1/appointments/$APPT/check-in" "$STAFF" '{"note": "datang 08:50"}' -H 'If-Match: "2"'
expect_status 409
expect 'j["code"]' check_in_too_early
call POST "/v1/appointments/$APPT/check-in" "$STAFF" '{"note": "datang 08:50"}' -H 'If-Match: "1"'
expect_status 412
expect 'j["code"]' version_mismatch
call POST "/v1/appointments/$APPT/complete" "$STAFF"
expect_status 409
expect 'j["code"]' invalid_transition

step "Two more bookings for Budi, one by his WhatsApp reference; Tuesday is cancelled"
call POST /v1/appointments "$KEY" '{"location_id": "'"$LOC"'", "service_id": "'"$SVC"'",
  "start": "'"$TUE_D"'T13:00:00+07:00", "customer_external_ref": "wa-6281234567890",
  "channel": "phone", "external_ref": "bot-123"}'
expect_status 201
expect 'j["customer_id"]' "$CUST"
expect 'j["channel"]' phone
TUE=$(json 'j["id"]')
call POST /v1/appointments "$KEY" '{"location_id": "'"$LOC"'", "service_id": "'"$SVC"'",
  "start": "'"$WED_D"'T08:00:00+07:00", "customer_id": "'"$CUST"'"}'
expect_status 201
WED=$(json 'j["id"]')
call POST "/v1/appointments/$TUE/cancel" "$STAFF" \
  '{"reason_category": "schedule_change", "reason_text": "ada urusan kantor", "note": "ditelepon 10:05"}'
expect_status 200
expect 'j["appointment"]["status"]' cancelled
expect 'j["appointment"]["cancel_reason"]["category"]' schedule_change
expect 'j["fee"]' null

step "The history and the customer's appointments"
call GET "/v1/appointments/$APPT/events" "$KEY"
expect_status 200
expect '[e["kind"] for e in j["items"]]' '["created", "confirmed"]'
expect 'j["items"][1]["actor"]["role"]' staff
call GET "/v1/customers/$CUST/appointments" "$KEY"
expect_status 200
expect 'j["counts"]["total"]' 3
expect 'j["counts"]["upcoming"]' 2
expect 'j["counts"]["cancelled"]' 1
call GET "/v1/appointments?from_date=$MON&to_date=$WED_D&status=booked,confirmed" "$KEY"
expect_status 200
expect '[a["id"] for a in j["items"]] == ["'"$APPT"'", "'"$WED"'"]' true

step "Suggestions near a full Monday 09:00"
call POST /v1/appointments "$KEY" '{"location_id": "'"$LOC"'", "service_id": "'"$SVC"'",
  "start": "'"$MON"'T09:00:00+07:00", "customer": {"name": "Siti Rahma", "phone": "+6281298765432"}}'
expect_status 201
expect 'sorted(r["name"] for r in j["resources"])' '["Bay 2", "Sari"]'
SITI=$(json 'j["customer_id"]')
call GET "/v1/availability/suggestions?location_id=$LOC&service_id=$SVC&near=${MON}T09:00:00%2B07:00&limit=3" "$KEY"
expect_status 200
expect '[s["local"]["label"] for s in j["suggestions"]]' '["10:15 WIB", "10:30 WIB", "10:45 WIB"]'
expect 'j["suggestions"][0]["score"]' 253
expect 'j["suggestions"][0]["score_parts"]["load"]' -2

step "Alternatives for Budi's Wednesday near 14:00 keep his bay and advisor first"
call POST /v1/appointments "$KEY" '{"location_id": "'"$LOC"'", "service_id": "'"$SVC"'",
  "start": "'"$WED_D"'T13:00:00+07:00", "customer_id": "'"$SITI"'", "resource_id": "'"$ANDI"'"}'
expect_status 201
call GET "/v1/appointments/$WED/alternatives?near=${WED_D}T14:00:00%2B07:00&limit=3" "$KEY"
expect_status 200
expect 'j["alternatives"][0]["local"]["label"]' '14:15 WIB'
expect 'j["alternatives"][0]["score_parts"]["same_resource"]' 2000000
expect 'j["alternatives"][0]["reasons"][0]' same_resource
expect 'j["alternatives"][0]["fee"]' '{"amount": 0, "currency": "IDR", "display": "Rp0"}'
call GET "/v1/appointments/$TUE/alternatives" "$KEY"
expect_status 409
expect 'j["code"]' not_reschedulable
call GET "/v1/appointments/$WED/alternatives?limit=0" "$KEY"
expect_status 400
expect 'j["code"]' invalid_limit

# ---------------------------------------------------------------- 3. policies

step "Sinar Motor's policy for the whole organization"
call POST /v1/policies "$KEY" '{
  "name": "Kebijakan Sinar Motor",
  "reschedule": {
    "min_notice_minutes": 1440, "late_mode": "charge",
    "fee_tiers": [{"notice_at_least_minutes": 4320, "fee": 0},
                  {"notice_at_least_minutes": 1440, "fee": 5000000},
                  {"notice_at_least_minutes": 0, "fee": 15000000}],
    "max_per_appointment": 2, "max_per_customer": 3, "customer_window_days": 90,
    "reason_required": true,
    "allow_after_no_show": {"within_days": 7, "fee": 5000000}},
  "cancellation": {"min_notice_minutes": 720, "late_mode": "refuse"},
  "text": {"id": "Perubahan jadwal gratis dengan pemberitahuan 72 jam; pembatalan paling lambat 12 jam sebelumnya.",
           "en": "Free changes with 72 hours'"'"' notice; cancel at least 12 hours ahead."}}'
expect_status 201
expect 'j["scope"]' organization
call POST /v1/policies "$KEY" '{"name": "Again"}'
expect_status 409
expect 'j["code"]' policy_exists

step "A second, round-the-clock location, so notice can be counted in hours from now"
call POST /v1/locations "$KEY" '{"name": "Sinar Motor Cikarang (24 jam)", "weekly_hours": {
  "mon": [{"start": "00:00", "end": "24:00"}], "tue": [{"start": "00:00", "end": "24:00"}],
  "wed": [{"start": "00:00", "end": "24:00"}], "thu": [{"start": "00:00", "end": "24:00"}],
  "fri": [{"start": "00:00", "end": "24:00"}], "sat": [{"start": "00:00", "end": "24:00"}],
  "sun": [{"start": "00:00", "end": "24:00"}]}}'
expect_status 201
LOC24=$(json 'j["id"]')
for r in "Bay C1:service_bay" "Dewi:service_advisor"; do
  call POST /v1/resources "$KEY" '{"location_id": "'"$LOC24"'", "name": "'"${r%%:*}"'", "kind": "'"${r##*:}"'"}'
  expect_status 201
done
call POST /v1/api-keys "$KEY" '{"name": "WhatsApp bot", "role": "integration"}'
expect_status 201
BOT=$(json 'j["secret"]')

# Budi's bookings there, counted from now: each one falls in another notice tier.
book24() { # book24 START KEY: sets $booked
  call POST /v1/appointments "$2" '{"location_id": "'"$LOC24"'", "service_id": "'"$SVC"'",
    "start": "'"$1"'", "customer_id": "'"$CUST"'"}'
  expect_status 201
  booked=$(json 'j["id"]')
}
P_SOON=$(in_hours 8)     # under 12 h: too late to cancel
P_LATE=$(in_hours 14)    # under 24 h: a move costs the late fee
P_MOVE=$(in_hours 30)    # 24 to 72 h: a move costs IDR 50,000
P_FREE=$(in_hours 40)    # over 12 h: cancelling is free
book24 "$P_SOON" "$KEY"; SOON=$booked
book24 "$P_LATE" "$KEY"; LATE=$booked
book24 "$P_MOVE" "$BOT"; MOVE=$booked
book24 "$P_FREE" "$KEY"; FREE=$booked
TO_1=$(in_hours 33); TO_2=$(in_hours 32); TO_3=$(in_hours 31); TO_LATE=$(in_hours 16)

step "1. A quote for moving the 30-hours-ahead booking: IDR 50,000, the 24 h tier"
call POST "/v1/appointments/$MOVE/reschedule-quote" "$BOT" '{"start": "'"$TO_1"'", "reason_category": "schedule_change"}'
expect_status 200
expect 'j["allowed"]' true
expect 'j["fee"]' '{"amount": 5000000, "currency": "IDR", "display": "Rp50.000"}'
expect 'j["fee_rule"]["tier_index"]' 1
expect 'j["remaining_reschedules"]' '{"appointment": 2, "customer": 3}'
expect 'j["policy"]["source"]' organization

step "2. Without a reason the quote is refused"
call POST "/v1/appointments/$MOVE/reschedule-quote" "$BOT" '{"start": "'"$TO_1"'"}'
expect_status 200
expect 'j["allowed"]' false
expect '[r["code"] for r in j["refusals"]]' '["reason_required"]'

step "3. A commit without accepted_fee: fee_changed, nothing moves"
call POST "/v1/appointments/$MOVE/reschedule" "$BOT" '{"start": "'"$TO_1"'", "reason_category": "schedule_change"}'
expect_status 409
expect 'j["code"]' fee_changed
expect 'j["data"]["quote"]["fee"]["amount"]' 5000000

step "4. The move, at the fee Budi saw"
call POST "/v1/appointments/$MOVE/reschedule" "$BOT" '{"start": "'"$TO_1"'", "reason_category": "schedule_change",
  "reason_text": "ada rapat pagi", "accepted_fee": {"amount": 5000000, "currency": "IDR"},
  "note": "lewat WhatsApp"}' -H 'If-Match: "1"'
expect_status 200
expect_header etag '"2"'
expect 'j["appointment"]["id"]' "$MOVE"
expect 'j["fee"]["status"]' due
expect 'j["fee"]["amount"]' 5000000
expect 'j["fee"]["display"]' Rp50.000
FEE1=$(json 'j["fee"]["id"]')

step "5. The history has a rescheduled event with the fee"
call GET "/v1/appointments/$MOVE/events" "$KEY"
expect_status 200
expect '[e["kind"] for e in j["items"]]' '["created", "rescheduled"]'
expect 'j["items"][1]["details"]["fee"]["fee_id"]' "$FEE1"
expect 'j["items"][1]["details"]["moves"]' 1

step "6. A late move, waived by staff; the bot may not override"
waived='{"start": "'"$TO_LATE"'", "reason_category": "running_late",
  "override": {"waive_fee": true, "note": "pelanggan setia, biaya dihapus"}'
call POST "/v1/appointments/$LATE/reschedule-quote" "$STAFF" "$waived}"
expect_status 200
expect 'j["fee"]["amount"]' 0
expect 'j["assessed_fee"]["amount"]' 15000000
expect 'j["waived"]' true
call POST "/v1/appointments/$LATE/reschedule-quote" "$BOT" "$waived}"
expect_status 403
expect 'j["code"]' override_not_allowed
call POST "/v1/appointments/$LATE/reschedule" "$STAFF" "$waived"', "accepted_fee": {"amount": 0, "currency": "IDR"}}'
expect_status 200
expect 'j["fee"]["status"]' waived
expect 'j["fee"]["amount"]' 15000000

step "7. Times to move to, priced"
call GET "/v1/appointments/$MOVE/alternatives?limit=3" "$STAFF"
expect_status 200
expect 'len(j["alternatives"])' 3
expect 'all(a["fee"]["amount"] == 5000000 and a["allowed"] for a in j["alternatives"])' true

step "8. The second move is allowed; a third is refused, with alternatives"
call POST "/v1/appointments/$MOVE/reschedule" "$BOT" '{"start": "'"$TO_2"'", "reason_category": "urgent_matter",
  "accepted_fee": {"amount": 5000000, "currency": "IDR"}}' -H 'If-Match: "2"'
expect_status 200
expect 'j["appointment"]["version"]' 3
FEE2=$(json 'j["fee"]["id"]')
call POST "/v1/appointments/$MOVE/reschedule" "$BOT" '{"start": "'"$TO_3"'", "reason_category": "urgent_matter",
  "accepted_fee": {"amount": 5000000, "currency": "IDR"}}'
expect_status 409
expect 'j["code"]' reschedule_limit_reached
expect '[r["code"] for r in j["data"]["refusals"]]' '["reschedule_limit_reached", "customer_limit_reached"]'
expect 'j["data"]["quote"]["remaining_reschedules"]' '{"appointment": 0, "customer": 0}'
expect 'len(j["data"]["alternatives"]) > 0' true
expect 'all(not a["allowed"] for a in j["data"]["alternatives"])' true
call POST "/v1/appointments/$MOVE/reschedule-quote" "$STAFF" '{"start": "'"$TO_3"'", "reason_category": "urgent_matter",
  "override": {"ignore_limits": true, "note": "bengkel yang minta pindah"}}'
expect_status 200
expect 'j["allowed"]' true
expect 'j["fee"]["amount"]' 5000000

step "9. Cancelling: free with 40 h of notice, refused with 8 h"
call POST "/v1/appointments/$FREE/cancel-quote" "$STAFF" '{"reason_category": "illness"}'
expect_status 200
expect 'j["allowed"]' true
expect 'j["fee"]["amount"]' 0
call POST "/v1/appointments/$FREE/cancel" "$STAFF" '{"reason_category": "illness", "reason_text": "demam"}' -H 'If-Match: "1"'
expect_status 200
expect 'j["appointment"]["status"]' cancelled
expect 'j["fee"]' null
call POST "/v1/appointments/$SOON/cancel" "$STAFF" '{"reason_category": "schedule_change"}'
expect_status 409
expect 'j["code"]' notice_too_short
expect 'j["data"]["required_minutes"]' 720
call POST "/v1/appointments/$SOON/cancel-quote" "$STAFF" '{"reason_category": "schedule_change",
  "override": {"allow_late": true, "note": "bengkel yang minta"}}'
expect_status 200
expect 'j["allowed"]' true

step "10. The fees ledger: two due, paid by the bot, waived by staff, settled once"
call GET "/v1/fees?status=due" "$STAFF"
expect_status 200
expect '[f["id"] for f in j["items"]] == ["'"$FEE1"'", "'"$FEE2"'"]' true
call POST "/v1/fees/$FEE1/mark-paid" "$BOT" '{"payment_ref": "QRIS-0042"}'
expect_status 200
expect 'j["status"]' paid
call POST "/v1/fees/$FEE2/waive" "$BOT" '{"note": "biaya dihapus"}'
expect_status 403
expect 'j["code"]' forbidden
call POST "/v1/fees/$FEE2/waive" "$STAFF" '{"note": "pindah kedua karena bengkel penuh, biaya dihapus"}' -H 'If-Match: "1"'
expect_status 200
expect 'j["status"]' waived
call POST "/v1/fees/$FEE2/mark-paid" "$BOT" '{"payment_ref": "QRIS-0043"}'
expect_status 409
expect 'j["code"]' fee_not_due
call GET "/v1/fees?customer_id=$CUST" "$STAFF"
expect '[f["status"] for f in j["items"]]' '["paid", "waived", "waived"]'

printf '\nwalkthrough: every step passed in %ss\n' "$(($(date +%s) - started))"
