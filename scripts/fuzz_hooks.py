"""Schemathesis hooks for scripts/fuzz.sh: realistic traffic, every check left on.

A JSON schema says what a well-formed request is; some of the server's rules depend on
other fields or on stored state, and no schema can state them. For requests Schemathesis
generated as valid (positive cases) these hooks make the data obey such rules, each of
which the operation's description in the spec states, so that a refusal left over is a
real disagreement between the spec and the server. Negative cases are sent as generated.

- `Idempotency-Key`: a fresh key per request. One key reused for a different request is
  rightly `422 idempotency_key_reused`.
- Ids in paths, queries and bodies (location, service, resource, customer, appointment,
  policy) are taken from the seeded demo dealer, so requests reach the rules behind the
  lookup; an unknown id in a body is rightly `422 ..._not_found`.
- `If-Match`: the current ETag of the resource (read just before). A stale but
  well-formed version is rightly `412 version_mismatch`.
- Windows (`from`/`to`, `from_date`/`to_date`): `to` after `from`, at most 31 days.
- A booking's or a move's `start`: a start that `GET /v1/availability` lists now (inside
  opening hours, lead time and booking horizon, not closed); when fuzzed settings leave
  no start at all, the demo's settings are put back first.
- Opening hours: each interval ends after it starts and intervals do not overlap.
- Closures: `end_date` not before `date`, `ends_at` after `starts_at`.
- A customer change keeps a phone or an e-mail address, and the preferred channel one the
  customer has.
- Phone numbers (bodies and the `phone` filter): the spec's pattern admits every shape the
  server reads (`0812-3456-7890`, `+62 812 3456 7890`), but whether the digits are a valid
  number of their country is libphonenumber's call, which no pattern states; a generated
  phone becomes a valid Indonesian mobile number written in one of those shapes.
- Moves and cancellations give a reason category the policy in force accepts.
- A gateway URL, and a webhook endpoint's, is a closed port on loopback (the server runs with
  `JANJI_ALLOW_PRIVATE_TARGETS=true`): whether a host resolves is not the schema's to say.
  Quiet hours end at another time than they start (the organization's and each
  override's). A survey URL is an absolute https URL. An unconfirmed call flag comes
  after its follow-up (`unconfirmed_follow_up_minutes` more than
  `unconfirmed_call_minutes`). Each override names a location or a service, one override
  per location, service or pair; one template per kind and locale.
- The SMTP and WhatsApp Cloud API adapters likewise point at a closed loopback port, with a
  sender address lettre reads, a username with its password over TLS only, and credentials
  without control characters.
- A booking's `vehicle_id` is one of its customer's vehicles (left out when the customer
  has none); a vehicle's `year` is from 1900 to next year.
- `/v1/self/{token}`: the token of a link freshly issued (`POST
  /v1/appointments/{id}/links`) to a seeded appointment that is not cancelled (tokens are
  shown once, so one per request); a change carries the appointment's current `version`,
  and a move a start availability lists, a reason and an accepted fee as for staff. When
  the run has cancelled every appointment, one per customer is booked afresh. (fuzz.sh
  raises the limit per address of the link endpoints: every request comes from loopback.)

fuzz.sh exports FUZZ_BASE_URL and FUZZ_API_KEY (the demo admin key).
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import urllib.error
import urllib.request
import uuid
from collections.abc import MutableMapping
from datetime import datetime, timedelta, timezone

import schemathesis

BASE = os.environ.get("FUZZ_BASE_URL", "").rstrip("/")
KEY = os.environ.get("FUZZ_API_KEY", "")

# Field or parameter name -> which seeded objects its ids name.
ID_KINDS = {
    "location_id": "locations",
    "location_ids": "locations",
    "service_id": "services",
    "resource_id": "resources",
    "resource_ids": "resources",
    "customer_id": "customers",
    "appointment_id": "appointments",
    "policy_id": "policies",
    "vehicle_id": "vehicles",
}
MAX_WINDOW = timedelta(days=31)


def api(method: str, path: str, body=None, headers=None):
    """One setup request to the server under test: (status, headers, JSON or None)."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(BASE + path, data=data, method=method)
    req.add_header("Authorization", f"Bearer {KEY}")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            raw = r.read()
            return r.status, dict(r.headers), (json.loads(raw) if raw else None)
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            return e.code, dict(e.headers), json.loads(raw)
        except ValueError:
            return e.code, dict(e.headers), None


def debug(message: str) -> None:
    """Notes for whoever tunes these hooks (FUZZ_HOOKS_DEBUG names a file); never secrets."""
    if os.environ.get("FUZZ_HOOKS_DEBUG"):
        with open(os.environ["FUZZ_HOOKS_DEBUG"], "a") as f:
            f.write(message + "\n")


def items(path: str) -> list:
    status, _, body = api("GET", path)
    return body["items"] if status == 200 else []


class World:
    """The seeded objects, loaded once; updated as the run deletes some."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.loaded = False
        self.ids: dict[str, list[str]] = {}
        self.snapshots: list[tuple[str, dict]] = []
        self.update_fields: dict[str, set[str]] = {}

    def load(self) -> None:
        with self.lock:
            if self.loaded:
                return
            self.loaded = True
            for kind in ("locations", "services", "resources", "customers", "policies"):
                self.ids[kind] = [x["id"] for x in items(f"/v1/{kind}?limit=200")]
            self.ids["vehicles"] = [v["id"] for c in self.ids["customers"]
                                    for v in items(f"/v1/customers/{c}/vehicles?limit=200")]
            self._learn_update_fields()
            self._snapshot()
            self.ids["appointments"] = self._book_one_each()

    def _learn_update_fields(self) -> None:
        _, _, spec = api("GET", "/openapi.json")
        schemas = spec["components"]["schemas"]
        for path, item in spec["paths"].items():
            patch = item.get("patch")
            if not patch:
                continue
            ref = patch["requestBody"]["content"]["application/json"]["schema"]["$ref"]
            props = schemas[ref.rsplit("/", 1)[1]].get("properties", {})
            self.update_fields[path] = set(props)

    def _snapshot(self) -> None:
        """The demo's settings as seeded, to put back when fuzzed ones leave no slot."""
        targets = [("/v1/organization", "/v1/organization")]
        for kind in ("locations", "services", "resources"):
            targets += [(f"/v1/{kind}/{i}", f"/v1/{kind}/{{{kind[:-1]}_id}}") for i in self.ids[kind]]
        for path, template in targets:
            status, _, body = api("GET", path)
            if status == 200:
                fields = self.update_fields.get(template, set())
                self.snapshots.append((path, {k: v for k, v in body.items() if k in fields}))
        self.closures = {i: self.closure_ids(i) for i in self.ids["locations"]}

    @staticmethod
    def closure_ids(location: str) -> set:
        return {c["id"] for c in items(f"/v1/locations/{location}/closures?limit=200")}

    def restore(self) -> None:
        for path, settings in self.snapshots:
            status, _, body = api("PATCH", path, settings)
            debug(f"restore {path}: {status} {body if status >= 300 else ''}")
        for location, seeded in self.closures.items():
            for closure in self.closure_ids(location) - seeded:
                status, _, _ = api("DELETE", f"/v1/locations/{location}/closures/{closure}")
                debug(f"restore: closure {closure} deleted: {status}")

    def _book_one_each(self) -> list[str]:
        """One appointment per customer, so appointment paths have real ids to act on."""
        booked = []
        services = self.ids["services"]
        for n, customer in enumerate(self.ids["customers"]):
            if not services or not self.ids["locations"]:
                break
            location, service = self.ids["locations"][0], services[n % len(services)]
            slot = self.slot(location, service, n)
            if slot is None:
                continue
            status, _, body = api(
                "POST",
                "/v1/appointments",
                {"location_id": location, "service_id": service, "start": slot["start"],
                 "customer_id": customer},
            )
            if status == 201:
                booked.append(body["id"])
        return booked

    def slots(self, location: str, service: str) -> list:
        """Starts bookable between a day and two months from now (the first window with any)."""
        now = datetime.now(timezone.utc)
        for first, last in ((1, 15), (15, 45), (45, 60)):
            q = (f"/v1/availability?location_id={location}&service_id={service}"
                 f"&from={iso(now + timedelta(days=first))}&to={iso(now + timedelta(days=last))}")
            status, _, body = api("GET", q)
            if status != 200:
                debug(f"availability {q}: {status} {body}")
            elif body["slots"]:
                return body["slots"]
        return []

    def slot(self, location: str, service: str, salt, avoid=None) -> dict | None:
        """A start availability lists now (not `avoid`, where a move must change the
        time); the demo's settings put back if none is."""
        found = [s for s in self.slots(location, service) if not same_instant(s["start"], avoid)]
        if not found:
            self.restore()
            found = [s for s in self.slots(location, service) if not same_instant(s["start"], avoid)]
            debug(f"no slot for {location} {service}; after restoring: {len(found)}")
        return pick(found, salt) if found else None

    def pick_id(self, kind: str, generated) -> str | None:
        pool = self.ids.get(kind) or []
        return pick(pool, generated) if pool else None

    def forget(self, path: str) -> None:
        last = path.rstrip("/").rsplit("/", 1)[-1]
        for pool in self.ids.values():
            if last in pool:
                pool.remove(last)


WORLD = World()


def pick(seq: list, salt):
    """Deterministic choice, so a seed replays the same run."""
    h = int(hashlib.sha256(repr(salt).encode()).hexdigest(), 16)
    return seq[h % len(seq)]


def same_instant(a, b) -> bool:
    ta, tb = parse_instant(a), parse_instant(b)
    return ta is not None and ta == tb


def iso(t: datetime) -> str:
    return t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_instant(v):
    if not isinstance(v, str):
        return None
    try:
        t = datetime.fromisoformat(v.strip().upper().replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo else None


def parse_date(v):
    try:
        return datetime.strptime(v, "%Y-%m-%d").date() if isinstance(v, str) else None
    except ValueError:
        return None


def is_positive(case) -> bool:
    meta = getattr(case, "meta", None)
    return meta is None or meta.generation.mode.is_positive


# --- ids ----------------------------------------------------------------------------


def map_ids(container) -> None:
    """Replaces ids in a dict (and nested dicts/lists) with seeded ones, in place."""
    if isinstance(container, list):
        for item in container:
            map_ids(item)
        return
    if not isinstance(container, MutableMapping):
        return
    for key, value in list(container.items()):
        kind = ID_KINDS.get(key)
        if kind and isinstance(value, str) and WORLD.pick_id(kind, value):
            container[key] = WORLD.pick_id(kind, value)
        elif kind and isinstance(value, list):
            container[key] = [WORLD.pick_id(kind, v) or v if isinstance(v, str) else v for v in value]
        elif isinstance(value, (dict, list)):
            map_ids(value)


# --- phone numbers -----------------------------------------------------------------

PHONE_SHAPES = ("0812-{a}-{b}", "+62 812 {a} {b}", "62812{a}{b}", "+62812{a}{b}")


def valid_phone(salt: str) -> str:
    """A valid Indonesian mobile number, typed in one of the shapes the server reads."""
    digits = str(int(hashlib.sha256(salt.encode()).hexdigest(), 16) % 10**8).zfill(8)
    shape = PHONE_SHAPES[int(digits) % len(PHONE_SHAPES)]
    return shape.format(a=digits[:4], b=digits[4:])


def fix_phones(container) -> None:
    """Every non-empty `phone` text (nested too) becomes a valid number, in place."""
    if isinstance(container, list):
        for item in container:
            fix_phones(item)
        return
    if not isinstance(container, MutableMapping):
        return
    for key, value in list(container.items()):
        if key == "phone" and isinstance(value, str) and value:
            container[key] = valid_phone(value)
        elif isinstance(value, (dict, list)):
            fix_phones(value)


# --- cross-field rules -------------------------------------------------------------


def fix_window(q: dict, lo: str, hi: str, parse, span) -> None:
    """`hi` after `lo` (instants, at most `span` apart) or not before it (dates)."""
    a, b = parse(q.get(lo)), parse(q.get(hi))
    if a is None or b is None:
        return
    if span is None:
        if b < a:
            q[lo], q[hi] = q[hi], q[lo]
        return
    if a < b and b - a <= span:
        return
    try:
        q[hi] = iso(a + timedelta(days=1))
    except OverflowError:
        now = datetime.now(timezone.utc)
        q[lo], q[hi] = iso(now), iso(now + timedelta(days=1))


def fix_hours(week) -> None:
    """Each interval ends after it starts; overlapping ones are dropped."""
    if not isinstance(week, dict):
        return
    for day, intervals in week.items():
        if not isinstance(intervals, list):
            continue
        kept, last_end = [], None
        spans = sorted(
            (tuple(sorted((iv.get("start"), iv.get("end")))) for iv in intervals
             if isinstance(iv, dict) and isinstance(iv.get("start"), str) and isinstance(iv.get("end"), str)),
        )
        for start, end in spans:
            if start == end or start == "24:00" or (last_end is not None and start < last_end):
                continue
            kept.append({"start": start, "end": end})
            last_end = end
        week[day] = kept


def fix_closure(body: dict) -> None:
    """`end_date` not before `date`; `ends_at` after `starts_at`."""
    d, e = parse_date(body.get("date")), parse_date(body.get("end_date"))
    if d and e and e < d:
        body["date"], body["end_date"] = body["end_date"], body["date"]
    s, t = parse_instant(body.get("starts_at")), parse_instant(body.get("ends_at"))
    if s and t and t <= s:
        if s == t:
            body["ends_at"] = iso(s + timedelta(hours=1)) if s.year < 9999 else body["ends_at"]
            if s.year >= 9999:
                body["starts_at"] = iso(s - timedelta(hours=1))
        else:
            body["starts_at"], body["ends_at"] = body["ends_at"], body["starts_at"]


def fix_customer_change(customer_path: str, body: dict) -> None:
    """The changed customer keeps a contact, and a preferred channel it has: clearing the
    only contact the stored customer has is dropped from the change."""
    status, _, current = api("GET", customer_path)
    if status != 200:
        return
    after = {k: body.get(k, current.get(k)) for k in ("phone", "email")}
    channel = body.get("preferred_channel") or current.get("preferred_channel")
    needs = "email" if channel == "email" else "phone"
    if after["phone"] is None and after["email"] is None or after[needs] is None:
        for k in ("phone", "email"):
            if k in body and body[k] is None:
                del body[k]
        after = {k: body.get(k, current.get(k)) for k in ("phone", "email")}
        if body.get("preferred_channel") and after["email" if body["preferred_channel"] == "email" else "phone"] is None:
            del body["preferred_channel"]


def fix_reason(appointment_path: str, body: dict) -> None:
    """A reason category when the policy in force requires one, among those it accepts."""
    if body.get("reason_category") is not None:
        accepted = accepted_reasons(appointment_path)
        if accepted and body["reason_category"] not in accepted:
            body["reason_category"] = pick(accepted, body["reason_category"])
        return
    status, _, policy = api("GET", appointment_path + "/policy")
    if status == 200 and json.dumps(policy).find('"reason_required": true') >= 0:
        accepted = accepted_reasons(appointment_path) or ["other"]
        body["reason_category"] = pick(accepted, appointment_path)


def accepted_reasons(appointment_path: str) -> list:
    status, _, policy = api("GET", appointment_path + "/policy")
    if status != 200:
        return []
    found = []

    def walk(v):
        if isinstance(v, dict):
            for k, x in v.items():
                if k == "reason_categories" and isinstance(x, list):
                    found.extend(x)
                else:
                    walk(x)

    walk(policy)
    return sorted(set(found))


def resources_by_id() -> dict:
    return {r["id"]: r for r in items("/v1/resources?limit=200")}


def ensure_offered(service_id, location_id) -> None:
    """Availability is asked of an active service offered at the location
    (`422 service_not_offered`): when the run's changes took that away from a seeded
    service, the seeded settings are put back."""
    status, _, service = api("GET", f"/v1/services/{service_id}")
    if status != 200:
        return
    offered = not service.get("location_ids") or location_id in service["location_ids"]
    if not (service.get("active", True) and offered):
        WORLD.restore()


def fix_pinned_resource(q: dict, service_id, location_id) -> None:
    """A pinned `resource_id` is one that can serve the service at the location."""
    if not isinstance(q.get("resource_id"), str):
        return
    status, _, service = api("GET", f"/v1/services/{service_id}")
    if status != 200:
        return
    allowed = set(service.get("resource_ids") or [])
    fit = sorted(
        r["id"] for r in resources_by_id().values()
        if r["kind"] in service["resource_kinds"] and r.get("active", True)
        and r["location_id"] == location_id and (not allowed or r["id"] in allowed)
    )
    if fit:
        q["resource_id"] = pick(fit, q["resource_id"])
    else:
        del q["resource_id"]


def fix_service_resources(service_path, body: dict) -> None:
    """A service's allow-listed resources are of the kinds it needs."""
    kinds = body.get("resource_kinds")
    if kinds is None and service_path:
        status, _, current = api("GET", service_path)
        kinds = current.get("resource_kinds") if status == 200 else None
    if kinds is None:
        return
    known = resources_by_id()
    ids = body.get("resource_ids")
    if ids is None and service_path and body.get("resource_kinds") is not None:
        status, _, current = api("GET", service_path)
        ids = current.get("resource_ids") if status == 200 else None
        if ids and any(known.get(i, {}).get("kind") not in kinds for i in ids):
            body["resource_ids"] = ids
    if isinstance(body.get("resource_ids"), list):
        fit = sorted(i for i, r in known.items() if r["kind"] in kinds)
        chosen = []
        for i in body["resource_ids"]:
            if i in fit and i not in chosen:
                chosen.append(i)
            elif fit:
                j = pick(fit, i)
                if j not in chosen:
                    chosen.append(j)
        body["resource_ids"] = chosen


def fix_policy(body: dict) -> None:
    """Fee tiers from the largest notice down, each notice once; a charged late change has
    a last tier at notice 0; a limit per customer has its window."""
    for section in ("reschedule", "cancellation"):
        rules = body.get(section)
        if not isinstance(rules, dict):
            continue
        tiers = rules.get("fee_tiers")
        if isinstance(tiers, list):
            seen, ordered = set(), []
            for t in sorted(tiers, key=lambda t: -t.get("notice_at_least_minutes", 0)):
                if t.get("notice_at_least_minutes") not in seen:
                    seen.add(t.get("notice_at_least_minutes"))
                    ordered.append(t)
            rules["fee_tiers"] = tiers = ordered
        charged = rules.get("late_mode", "charge") == "charge"
        if charged and rules.get("min_notice_minutes", 0) > 0:
            tiers = rules.setdefault("fee_tiers", [])
            if not tiers or tiers[-1].get("notice_at_least_minutes") != 0:
                tiers.append({"notice_at_least_minutes": 0, "fee": tiers[-1]["fee"] if tiers else 0})
        if section == "reschedule" and rules.get("max_per_customer") is not None \
                and rules.get("customer_window_days") is None:
            rules["customer_window_days"] = 90


def fix_accepted_fee(appointment_path: str, body: dict) -> None:
    """A fee the customer accepted is in the currency of the policy in force."""
    fee = body.get("accepted_fee")
    if not isinstance(fee, dict):
        return
    status, _, applied = api("GET", appointment_path + "/policy")
    if status != 200:
        return
    currency = (applied.get("policy") or {}).get("currency")
    if not currency:
        _, _, org = api("GET", "/v1/organization")
        currency = org.get("currency")
    if currency:
        fee["currency"] = currency


def fix_horizon(q: dict) -> None:
    """Suggestions look for times from now on, within the booking horizon (at least a
    day, whatever the settings say)."""
    now = datetime.now(timezone.utc)
    latest = now + timedelta(days=1)
    for name in ("near", "from"):
        t = parse_instant(q.get(name))
        if t is not None and not (now < t < latest):
            q[name] = iso(now + timedelta(hours=2))
    a, b = parse_instant(q.get("from")), parse_instant(q.get("to"))
    if a is not None and b is not None and not (a < b and b - a <= MAX_WINDOW):
        q["to"] = iso(a + timedelta(days=1))


def current_etag(path: str) -> str | None:
    status, headers, _ = api("GET", path)
    if status != 200:
        return None
    return {k.lower(): v for k, v in headers.items()}.get("etag")


def resource_path(path: str) -> str:
    """The resource an operation's If-Match refers to (an action's appointment or fee)."""
    parts = path.rstrip("/").split("/")
    if len(parts) > 4 and parts[2] in ("appointments", "fees"):
        return "/".join(parts[:4])
    return path


def concrete_path(case) -> str:
    path = case.operation.path
    for name, value in (case.path_parameters or {}).items():
        path = path.replace("{" + name + "}", str(value))
    return path


def link_token(salt) -> str | None:
    """The token of a new link to a seeded appointment a link can open (not cancelled);
    when the run has cancelled them all, to one booked afresh."""
    with WORLD.lock:
        pool = WORLD.ids.setdefault("appointments", [])
        while True:
            if not pool:
                pool.extend(WORLD._book_one_each())
                if not pool:
                    return None
            appointment = pick(pool, salt)
            status, _, body = api("POST", f"/v1/appointments/{appointment}/links")
            if status == 201:
                return body["token"]
            debug(f"no link to {appointment}: {status}")
            pool.remove(appointment)


def fix_self(path: str, op_path: str, body: dict) -> None:
    """A customer's change through a link, made as a staff one is (see before_call)."""
    token_path = "/".join(path.split("/")[:4])
    status, _, view = api("GET", token_path)
    if status != 200:
        return
    if "version" in body:
        body["version"] = view["version"]
    appointment_path = f"/v1/appointments/{view['appointment_id']}"
    if op_path.endswith(("/reschedule", "/reschedule-quote")):
        status, _, appt = api("GET", appointment_path)
        if status == 200:
            slot = WORLD.slot(appt["location_id"], appt["service_id"], body.get("start"),
                              avoid=appt["start"])
            if slot:
                body["start"] = slot["start"]
    fix_reason(appointment_path, body)
    fix_accepted_fee(appointment_path, body)


def fix_vehicle(body: dict) -> None:
    """A booking's vehicle is one of its customer's (`422 vehicle_not_customers`)."""
    if body.get("vehicle_id") is None:
        return
    customer = body.get("customer_id")
    owned = [v["id"] for v in items(f"/v1/customers/{customer}/vehicles?limit=200")] if customer else []
    if owned:
        body["vehicle_id"] = pick(owned, body["vehicle_id"])
    else:
        del body["vehicle_id"]


def fix_year(body: dict) -> None:
    """A vehicle's model year is 1900 to next year (`422 out_of_range`)."""
    year = body.get("year")
    if isinstance(year, (int, float)) and not isinstance(year, bool):
        body["year"] = min(max(int(year), 1900), datetime.now(timezone.utc).year + 1)


# --- the hooks ------------------------------------------------------------------------


def fix_quiet(quiet) -> None:
    if isinstance(quiet, dict) and quiet.get("start") == quiet.get("end"):
        quiet["end"] = "07:00" if quiet.get("start") != "07:00" else "08:00"


def fix_notification_settings(body: dict) -> None:
    """The settings' rules that span fields or items (each stated in the spec)."""
    fix_quiet(body.get("quiet_hours"))
    if body.get("survey_url") is not None:
        body["survey_url"] = "https://survei.example/janji"
    call = body.get("unconfirmed_call_minutes")
    if isinstance(call, int):
        if call >= 43200:
            body["unconfirmed_call_minutes"] = call = 43199
        follow = body.get("unconfirmed_follow_up_minutes")
        if not isinstance(follow, int) or follow <= call:
            body["unconfirmed_follow_up_minutes"] = call + 1
    overrides = body.get("overrides")
    if isinstance(overrides, list):
        kept, seen = [], set()
        for o in overrides:
            if not isinstance(o, dict):
                continue
            if o.get("location_id") is None and o.get("service_id") is None:
                o["location_id"] = WORLD.pick_id("locations", json.dumps(o, sort_keys=True))
            key = (o.get("location_id"), o.get("service_id"))
            if key in seen:
                continue
            seen.add(key)
            fix_quiet(o.get("quiet_hours"))
            kept.append(o)
        body["overrides"] = kept
    templates = body.get("templates")
    if isinstance(templates, list):
        kept, seen = [], set()
        for t in templates:
            key = (t.get("kind"), t.get("locale")) if isinstance(t, dict) else None
            if key not in seen:
                seen.add(key)
                kept.append(t)
        body["templates"] = kept
    for field, fields in (("reply_answers", ("kind", "locale")), ("reply_words", ("locale", "intent"))):
        lists = body.get(field)
        if isinstance(lists, list):
            kept, seen = [], set()
            for t in lists:
                key = tuple(t.get(f) for f in fields) if isinstance(t, dict) else None
                if key not in seen:
                    seen.add(key)
                    kept.append(t)
            body[field] = kept
    # A word asks for one thing per locale among the organization's own lists, and
    # appears once in its list, whatever its case.
    taken = {}
    for w in body.get("reply_words") or []:
        if isinstance(w, dict) and isinstance(w.get("words"), list):
            own = []
            for word in w["words"]:
                key = (w.get("locale"), str(word).upper())
                if key not in taken:
                    taken[key] = w.get("intent")
                    own.append(word)
            w["words"] = own


@schemathesis.hook
def before_call(context, case, **kwargs):
    WORLD.load()
    if not is_positive(case):
        return
    op = case.operation
    method = op.method.upper()
    if case.path_parameters:
        map_ids(case.path_parameters)
        if op.path.startswith("/v1/self/{token}"):
            token = link_token(case.path_parameters.get("token"))
            if token:
                case.path_parameters["token"] = token
    path = concrete_path(case)
    is_self = op.path.startswith("/v1/self/")
    if isinstance(case.query, MutableMapping):
        q = case.query
        map_ids(q)
        fix_phones(q)
        fix_window(q, "from", "to", parse_instant, MAX_WINDOW)
        fix_window(q, "from_date", "to_date", parse_date, None)
        if "service_id" in q and "location_id" in q:
            ensure_offered(q["service_id"], q["location_id"])
            fix_pinned_resource(q, q["service_id"], q["location_id"])
        elif op.path.startswith("/v1/appointments/{appointment_id}/") and not is_self:
            status, _, appt = api("GET", resource_path(path))
            if status == 200:
                fix_pinned_resource(q, appt["service_id"], appt["location_id"])
        if op.path.endswith(("/suggestions", "/alternatives")):
            fix_horizon(q)
    body = case.body if isinstance(case.body, dict) else None
    if body is not None:
        map_ids(body)
        fix_phones(body)

    if body is not None:
        if "weekly_hours" in body:
            fix_hours(body["weekly_hours"])
        if path.endswith("/closures"):
            fix_closure(body)
        if method == "PATCH" and op.path == "/v1/customers/{customer_id}":
            fix_customer_change(path, body)
        if op.path == "/v1/appointments" and method == "POST":
            fix_vehicle(body)
            slot = WORLD.slot(body.get("location_id"), body.get("service_id"), body.get("start"))
            if slot:
                body["start"] = slot["start"]
                if body.get("resource_id") is not None:
                    body["resource_id"] = pick([r["id"] for r in slot["resources"]], body["resource_id"])
        if is_self:
            fix_self(path, op.path, body)
        elif op.path.endswith(("/reschedule", "/reschedule-quote")):
            status, _, appt = api("GET", resource_path(path))
            if status == 200:
                slot = WORLD.slot(appt["location_id"], appt["service_id"], body.get("start"),
                                  avoid=appt["start"])
                if slot:
                    body["start"] = slot["start"]
                    if body.get("resource_id") is not None:
                        body["resource_id"] = pick([r["id"] for r in slot["resources"]], body["resource_id"])
        if not is_self and op.path.endswith(
                ("/reschedule", "/reschedule-quote", "/cancel", "/cancel-quote")):
            fix_reason(resource_path(path), body)
            fix_accepted_fee(resource_path(path), body)
        if op.path.startswith("/v1/services"):
            fix_service_resources(path if method == "PATCH" else None, body)
        if op.path.startswith("/v1/policies"):
            fix_policy(body)
        if op.path == "/v1/notification-settings" and body.get("gateway_url") is not None:
            # A port nothing listens on: deliveries fail fast, nothing leaves the machine.
            body["gateway_url"] = "http://127.0.0.1:9/janji"
        if op.path == "/v1/organization" and body.get("country") is not None:
            # National numbers are read in the organization's country: it stays ID, so
            # the phones generated above stay valid numbers.
            body["country"] = "ID"
        if op.path.startswith("/v1/webhook-endpoints") and body.get("url") is not None:
            # Likewise for an integration's endpoint.
            body["url"] = "http://127.0.0.1:9/events"
        if op.path == "/v1/notification-settings/smtp":
            fix_smtp(body)
        if op.path == "/v1/notification-settings/whatsapp-cloud":
            fix_whatsapp(body)
        if op.path == "/v1/notification-settings":
            fix_notification_settings(body)
        if op.path.endswith("/vehicles") or op.path.startswith("/v1/vehicles"):
            fix_year(body)

    headers = case.headers if isinstance(case.headers, MutableMapping) else None
    if headers:
        for name in list(headers):
            if name.lower() == "idempotency-key":
                headers[name] = str(uuid.uuid4())
            elif name.lower() == "if-match":
                tag = current_etag(resource_path(path))
                if tag:
                    headers[name] = tag


def fix_smtp(body):
    """An SMTP server on a closed loopback port (nothing leaves the machine; whether a host
    resolves is not the schema's to say), a sender address as lettre reads it, and a
    username with its password only over an encrypted connection."""
    body["host"] = "127.0.0.1"
    body["port"] = 9
    body["from"] = "Sinar Motor <servis@sinarmotor.example>"
    if body.get("username") is not None or body.get("password") is not None:
        body["username"] = "servis"
        body["password"] = "fuzz-password"
        if body.get("tls") == "none":
            body["tls"] = "starttls"


def fix_whatsapp(body):
    """The Cloud API's stand-in is a closed loopback port; the credentials are texts
    without control characters (their content is Meta's to judge)."""
    if body.get("api_base_url") is not None:
        body["api_base_url"] = "http://127.0.0.1:9/v21.0"
    body["access_token"] = "fuzz-access-token"
    for field in ("app_secret", "verify_token"):
        if body.get(field) is not None:
            body[field] = "fuzz-" + field


@schemathesis.hook
def after_call(context, case, response):
    if case.operation.method.upper() == "DELETE" and 200 <= response.status_code < 300:
        WORLD.forget(concrete_path(case))
