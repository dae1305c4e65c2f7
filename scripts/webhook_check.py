"""Checks Janji's message signatures with an independent implementation: the official
`standardwebhooks` package (PyPI), not Janji's own code.

Run by scripts/webhook_check.sh against a live server seeded with the demo dealer. It
starts a receiver on loopback that verifies every POST with `Webhook(secret).verify`,
points the organization's gateway (path /hook) and an integration webhook endpoint
(path /events, every event type) at it, books an appointment, rotates both secrets with
an overlap, books another, and requires that every message and event arrived, verified
with the secrets in force when it was signed: the first with the first secret, the later
ones with both the old and the new secret (the overlap). Exits non-zero otherwise.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

BASE = os.environ["CHECK_BASE_URL"].rstrip("/")
KEY = os.environ["CHECK_API_KEY"]
received: list[dict] = []
lock = threading.Lock()


def api(method: str, path: str, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(BASE + path, data=data, method=method)
    req.add_header("Authorization", f"Bearer {KEY}")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (the standard library's name)
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        with lock:
            received.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                             "body": body})
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def verifies(secret: str, message: dict) -> bool:
    try:
        Webhook(secret).verify(message["body"], message["headers"])
        return True
    except WebhookVerificationError:
        return False


def book(days_ahead: int) -> str:
    _, locations = api("GET", "/v1/locations")
    _, services = api("GET", "/v1/services")
    _, customers = api("GET", "/v1/customers")
    location = locations["items"][0]["id"]
    customer = next(c["id"] for c in customers["items"] if c.get("phone"))
    start = datetime.now(timezone.utc) + timedelta(days=days_ahead)
    for service in services["items"]:
        q = (f"/v1/availability?location_id={location}&service_id={service['id']}"
             f"&from={start.strftime('%Y-%m-%dT%H:%M:%SZ')}"
             f"&to={(start + timedelta(days=7)).strftime('%Y-%m-%dT%H:%M:%SZ')}")
        status, avail = api("GET", q)
        if status == 200 and avail["slots"]:
            status, appt = api("POST", "/v1/appointments", {
                "location_id": location, "service_id": service["id"],
                "start": avail["slots"][0]["start"], "customer_id": customer})
            if status == 201:
                return appt["id"]
    sys.exit("webhook check: found no bookable slot in the demo data")


def wait_for(count: int, path: str = "/hook") -> list[dict]:
    deadline = time.time() + 20
    while time.time() < deadline:
        with lock:
            got = [m for m in received if m["path"] == path]
            if len(got) >= count:
                return got
        time.sleep(0.2)
    sys.exit(f"webhook check: {len(got)} of {count} posts to {path} arrived in 20 s")


def check(name: str, first: str, second: str, before: list[dict], after: list[dict]) -> list[str]:
    """Before the rotation: the first secret; after: both (the overlap); a changed body: none."""
    failures = []
    for m in before:
        if not verifies(first, m):
            failures.append(f"{name} {m['headers'].get('webhook-id')}: not verified with the first secret")
    for m in after[len(before):]:
        for label, secret in (("new", second), ("old (overlap)", first)):
            if not verifies(secret, m):
                failures.append(f"{name} {m['headers'].get('webhook-id')}: not verified with the {label} secret")
    tampered = dict(after[-1], body=after[-1]["body"] + b" ")
    if verifies(second, tampered):
        failures.append(f"{name}: a changed body still verified")
    return failures


def main() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"

    status, settings = api("PUT", "/v1/notification-settings", {"gateway_url": f"{base}/hook"})
    assert status == 200, settings
    first = settings["secret"]
    status, endpoint = api("POST", "/v1/webhook-endpoints", {
        "url": f"{base}/events", "event_types": ["appointment.booked", "appointment.confirmed"]})
    assert status == 201, endpoint
    first_ep = endpoint["secret"]
    book(2)
    before = wait_for(1)
    before_ep = wait_for(1, "/events")
    status, rotated = api("POST", "/v1/notification-settings/secret?overlap_hours=1")
    assert status == 200, rotated
    second = rotated["secret"]
    status, rotated_ep = api("POST", f"/v1/webhook-endpoints/{endpoint['id']}/secret?overlap_hours=1")
    assert status == 200, rotated_ep
    second_ep = rotated_ep["secret"]
    book(3)
    after = wait_for(len(before) + 1)
    after_ep = wait_for(len(before_ep) + 1, "/events")

    failures = check("message", first, second, before, after)
    failures += check("event", first_ep, second_ep, before_ep, after_ep)
    if failures:
        sys.exit("webhook check failed:\n" + "\n".join(failures))
    kinds = [json.loads(m["body"])["kind"] for m in after]
    types = [json.loads(m["body"])["type"] for m in after_ep]
    print(f"webhook check: {len(after)} messages ({', '.join(kinds)}) and {len(after_ep)} webhook events "
          f"({', '.join(types)}) verified by standardwebhooks, with the rotated secrets' overlap")


if __name__ == "__main__":
    main()
