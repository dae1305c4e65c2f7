#!/usr/bin/env python3
"""A customer's link in a real browser: Debian's chromium, headless, driven over the W3C
WebDriver protocol by Debian's chromedriver (no browser download, no client library:
the protocol is plain JSON over HTTP).

Starts `janji` on a temporary SQLite file with the demo dealer (`janji demo`), books an
appointment about two days ahead (inside the 72-hour notice of the demo policy, so a
move costs a fee), issues its link, then, at a phone's width (360 px):

  1. opens the link and sees the appointment in Indonesian with its local time;
  2. confirms it with one tap;
  3. opens the other times, each with its fee;
  4. picks the first and sees the fee and the policy before anything changes;
  5. moves there;
  6. opens cancelling and sees what it costs;
  7. cancels.

Each step is checked against the API as staff see it, and a screenshot of each page is
saved in target/e2e-screenshots/ (CI keeps it as an artifact). Exits non-zero at the
first mismatch.

    python3 scripts/browser_e2e.py          # JANJI_BIN=path skips the cargo build
Needs: chromium and chromium-driver (Debian packages), python3.
"""

import base64
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHOTS = REPO / "target" / "e2e-screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")


def fail(message: str) -> None:
    print(f"browser e2e: FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def http(method: str, url: str, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            text = r.read().decode()
            return r.status, (json.loads(text) if text else None)
    except urllib.error.HTTPError as e:
        text = e.read().decode()
        try:
            return e.code, json.loads(text)
        except ValueError:
            return e.code, text


def wait_for(url: str, proc: subprocess.Popen, what: str) -> None:
    for _ in range(200):
        if proc.poll() is not None:
            fail(f"{what} exited with {proc.returncode}")
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    fail(f"{what} did not answer at {url}")


class Browser:
    """The few WebDriver commands a customer's taps need."""

    def __init__(self, driver_url: str):
        self.base = driver_url
        status, r = http("POST", f"{driver_url}/session", {
            "capabilities": {"alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": {
                    "binary": CHROMIUM,
                    "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                             "--disable-dev-shm-usage", "--window-size=360,800"],
                },
            }},
        })
        if status != 200:
            fail(f"no browser session: {status} {r}")
        self.session = f"{driver_url}/session/{r['value']['sessionId']}"

    def cmd(self, method: str, path: str, body=None):
        status, r = http(method, self.session + path, body if body is not None else
                         ({} if method == "POST" else None))
        if status != 200:
            fail(f"webdriver {method} {path}: {status} {r}")
        return r["value"]

    def open(self, url: str) -> None:
        self.cmd("POST", "/url", {"url": url})

    def find(self, css: str) -> str:
        status, r = http("POST", self.session + "/element",
                         {"using": "css selector", "value": css})
        if status != 200:
            fail(f"no element {css!r} on {self.url()}:\n{self.text()[:2000]}")
        return next(iter(r["value"].values()))

    def has(self, css: str) -> bool:
        status, r = http("POST", self.session + "/elements",
                         {"using": "css selector", "value": css})
        return status == 200 and bool(r["value"])

    def click(self, css: str) -> None:
        self.cmd("POST", f"/element/{self.find(css)}/click")

    def text(self) -> str:
        return self.cmd("POST", "/execute/sync",
                        {"script": "return document.body.innerText", "args": []})

    def url(self) -> str:
        return self.cmd("GET", "/url")

    def shot(self, name: str) -> None:
        png = base64.b64decode(self.cmd("GET", "/screenshot"))
        (SHOTS / f"{name}.png").write_bytes(png)
        print(f"  screenshot {name}.png")

    def close(self) -> None:
        http("DELETE", self.session)


def main() -> None:
    for tool in (CHROMIUM, CHROMEDRIVER):
        if not shutil.which(tool):
            fail(f"{tool} not found: install the Debian packages chromium and chromium-driver")
    janji = os.environ.get("JANJI_BIN")
    if not janji:
        subprocess.run(["cargo", "build", "--quiet", "--bin", "janji"], cwd=REPO, check=True)
        janji = str(REPO / "target" / "debug" / "janji")
    if SHOTS.exists():
        shutil.rmtree(SHOTS)
    SHOTS.mkdir(parents=True)

    work = Path(tempfile.mkdtemp(prefix="janji-e2e."))
    port, driver_port = free_port(), free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, DATABASE_URL=str(work / "janji.db"), JANJI_BIND=f"127.0.0.1:{port}",
               JANJI_PUBLIC_URL=base, JANJI_SECRET_KEY_FILE=str(work / "janji.key"),
               RUST_LOG="warn")
    procs = []
    try:
        seeded = subprocess.run([janji, "demo"], env=env, check=True, capture_output=True,
                                text=True).stdout
        after = seeded.split("shown only this once", 1)[-1].splitlines()
        key = next((l.strip() for l in after if l.startswith(" ") and len(l.split()) == 1), None)
        if not key:
            fail(f"no admin key in the output of 'janji demo':\n{seeded}")
        auth = {"Authorization": f"Bearer {key}"}
        log = open(work / "server.log", "w")
        server = subprocess.Popen([janji, "serve"], env=env, stdout=log, stderr=log)
        procs.append(server)
        wait_for(f"{base}/healthz", server, "janji")
        driver = subprocess.Popen([CHROMEDRIVER, f"--port={driver_port}"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(driver)
        wait_for(f"http://127.0.0.1:{driver_port}/status", driver, "chromedriver")

        def api(method, path, body=None):
            return http(method, base + path, body, auth)

        # The demo dealer's location, a service it offers there, a customer.
        location = api("GET", "/v1/locations")[1]["items"][0]["id"]
        customer = api("GET", "/v1/customers")[1]["items"][0]["id"]
        now = datetime.now(timezone.utc)
        lo, hi = now + timedelta(hours=30), now + timedelta(hours=66)
        start = None
        for service in api("GET", "/v1/services")[1]["items"]:
            q = (f"/v1/availability?location_id={location}&service_id={service['id']}"
                 f"&from={lo:%Y-%m-%dT%H:%M:%SZ}&to={hi:%Y-%m-%dT%H:%M:%SZ}")
            status, found = api("GET", q)
            if status == 200 and found["slots"]:
                start, service_id = found["slots"][0]["start"], service["id"]
                break
        if not start:
            fail("the demo dealer has no free time 30 to 66 hours ahead")
        status, appt = api("POST", "/v1/appointments", {
            "location_id": location, "service_id": service_id, "customer_id": customer,
            "start": start})
        if status != 201:
            fail(f"booking: {status} {appt}")
        status, link = api("POST", f"/v1/appointments/{appt['id']}/links", {})
        if status != 201:
            fail(f"issuing the link: {status} {link}")
        print(f"browser e2e: {appt['id']} at {start}, link {link['url'][:len(base) + 8]}…")

        b = Browser(f"http://127.0.0.1:{driver_port}")
        try:
            staff = lambda: api("GET", f"/v1/appointments/{appt['id']}")[1]

            def until(test, what):
                # A tap's form post may still be on its way when the click returns.
                for _ in range(50):
                    seen = staff()
                    if test(seen):
                        return seen
                    time.sleep(0.1)
                fail(f"{what}: the appointment is {seen['status']} at {seen['start']}:\n{b.text()}")

            b.open(link["url"])
            page = b.text()
            if not re.search(r"\d{2}\.\d{2} WIB", page):
                fail(f"no local time with its zone on the page:\n{page}")
            b.shot("01-appointment")

            b.click('form[action*="/confirm"] button')
            until(lambda a: a["status"] == "confirmed", "not confirmed after the tap")
            b.shot("02-confirmed")

            b.click('a[href*="/reschedule"]')
            if "Rp" not in b.text():
                fail(f"the other times show no fee:\n{b.text()}")
            b.shot("03-other-times")

            b.click('a[href*="start="]')
            page = b.text()
            fee = re.search(r"Rp[\d.]+", page)
            if not fee:
                fail(f"the confirmation shows no fee:\n{page}")
            b.shot("04-move-confirmation")
            # The demo policy asks for a reason to move: the first real choice.
            b.click('form[method="post"] select#reason option:not([value=""])')
            b.click('form[method="post"] button[type="submit"]')
            moved = until(lambda a: a["start"] != appt["start"], "not moved")
            print(f"  moved to {moved['start']} for {fee.group(0)}")
            b.shot("05-moved")

            b.open(link["url"] + "/cancel")
            if "Rp" not in b.text():
                fail(f"cancelling shows no fee:\n{b.text()}")
            b.shot("06-cancel")
            reasons = 'form[method="post"] select#reason option:not([value=""])'
            if b.has(reasons):
                b.click(reasons)
            b.click('form[method="post"] button[type="submit"]')
            until(lambda a: a["status"] == "cancelled", "not cancelled")
            b.shot("07-cancelled")
        finally:
            b.close()
        print(f"browser e2e: every step passed; screenshots in {SHOTS.relative_to(REPO)}")
    finally:
        for p in procs:
            p.terminate()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
