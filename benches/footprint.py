#!/usr/bin/env python3
"""Statements per request and resident memory of `janji serve`, on SQLite and PostgreSQL.

Starts the server with `RUST_LOG=warn,janji::sql=trace` (every statement logged, see
`db::connection::SQL_LOG_TARGET`), sets up one location with 50 resources (25 bays, 25
advisors) and a service needing one of each, then counts the statements of one booking
without and with an `Idempotency-Key` and of one GET of an appointment (each after a
warm-up request of its kind). Then a load: CONCURRENCY threads booking and reading for
SECONDS. Prints VmRSS/VmHWM after start, after set-up and after the load.

    JANJI_BIN=target/debug/janji python3 benches/footprint.py [sqlite|postgres ...]
"""
import concurrent.futures, datetime as dt, json, os, re, socket, subprocess, sys, tempfile, time
import urllib.request, urllib.error

BIN = os.environ.get("JANJI_BIN", "target/debug/janji")
PG_ADMIN = os.environ.get("PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
SECONDS = float(os.environ.get("SECONDS_OF_LOAD", "15"))
CONCURRENCY = int(os.environ.get("CONCURRENCY", "16"))
RESOURCES = int(os.environ.get("RESOURCES", "50"))


def rss(pid):
    out = {}
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(("VmRSS", "VmHWM")):
            k, v = line.split(":")
            out[k] = int(v.split()[0]) // 1024
    return f"VmRSS {out['VmRSS']} MB, VmHWM {out['VmHWM']} MB, threads {len(os.listdir(f'/proc/{pid}/task'))}"


def run(backend):
    work = tempfile.mkdtemp()
    if backend == "sqlite":
        url = f"{work}/janji.db"
    else:
        db = f"janji_footprint_{os.getpid()}"
        subprocess.run(["psql", PG_ADMIN, "-qc", f"CREATE DATABASE {db}"], check=True)
        url = PG_ADMIN.rsplit("/", 1)[0] + "/" + db
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
    base = f"http://127.0.0.1:{port}"
    out, err = open(f"{work}/out", "w"), open(f"{work}/err", "w")
    env = dict(os.environ, DATABASE_URL=url, JANJI_BIND=f"127.0.0.1:{port}",
               RUST_LOG="warn,janji::sql=trace", JANJI_LOG_FORMAT="text")
    server = subprocess.Popen([BIN, "serve"], env=env, stdout=out, stderr=err)
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/readyz").read(); break
            except Exception:
                time.sleep(0.05)
        print(f"== {backend}")
        print("after start:   ", rss(server.pid))
        key = re.search(r"jnj_\S+", open(f"{work}/out").read()).group(0)

        def call(method, path, body=None, headers=None):
            req = urllib.request.Request(base + path, method=method,
                                         data=None if body is None else json.dumps(body).encode())
            req.add_header("Authorization", f"Bearer {key}")
            req.add_header("Content-Type", "application/json")
            for k, v in (headers or {}).items():
                req.add_header(k, v)
            try:
                with urllib.request.urlopen(req) as r:
                    return r.status, json.loads(r.read() or b"null")
            except urllib.error.HTTPError as e:
                return e.code, json.loads(e.read() or b"null")

        day = {"start": "00:00", "end": "23:45"}
        st, loc = call("POST", "/v1/locations", {"name": "Bengkel", "time_zone": "Asia/Jakarta",
            "weekly_hours": {d: [day] for d in ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]}})
        assert st == 201, loc
        for i in range(RESOURCES):
            kind = "service_bay" if i % 2 == 0 else "service_advisor"
            st, r = call("POST", "/v1/resources", {"location_id": loc["id"], "name": f"R{i}", "kind": kind})
            assert st == 201, r
        st, svc = call("POST", "/v1/services", {"name": "Servis", "duration_minutes": 15,
            "resource_kinds": ["service_bay", "service_advisor"]})
        assert st == 201, svc
        st, cust = call("POST", "/v1/customers", {"name": "Budi", "phone": "+6281234567890"})
        assert st == 201, cust
        print("after set-up:  ", rss(server.pid))

        start0 = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=3)).replace(
            hour=0, minute=0, second=0, microsecond=0)
        counter = iter(range(10**6))

        def book(headers=None):
            n = next(counter)
            t = start0 + dt.timedelta(minutes=15 * (n // (RESOURCES // 2)))
            return call("POST", "/v1/appointments", {"location_id": loc["id"], "service_id": svc["id"],
                "customer_id": cust["id"], "start": t.isoformat().replace("+00:00", "Z")}, headers)

        def statements(action):
            time.sleep(0.3)
            before = open(f"{work}/err").read().count("janji::sql")
            result = action()
            time.sleep(0.3)
            lines = [l for l in open(f"{work}/err").read().splitlines() if "janji::sql" in l][before:]
            return result, lines

        book(); book({"Idempotency-Key": "warm"})
        (st, appt), plain = statements(book)
        assert st == 201, appt
        (st, _), keyed = statements(lambda: book({"Idempotency-Key": "k-1"}))
        assert st == 201
        (st, _), replay = statements(lambda: book({"Idempotency-Key": "k-1"}))
        call("GET", f"/v1/appointments/{appt['id']}")
        (st, _), get = statements(lambda: call("GET", f"/v1/appointments/{appt['id']}"))
        assert st == 200
        for name, lines in [("booking", plain), ("booking with Idempotency-Key", keyed),
                            ("replay", replay), ("GET appointment", get)]:
            print(f"statements, {name}: {len(lines)}")
            if os.environ.get("SHOW_SQL"):
                for l in lines:
                    print("    " + re.sub(r".*janji::sql: ", "", l)[:150])

        # Load: bookings and reads at once.
        env_quiet = None
        deadline = time.time() + SECONDS
        counts = {}

        def worker(i):
            while time.time() < deadline:
                if i % 2 == 0:
                    st, _ = book()
                else:
                    st, _ = call("GET", f"/v1/availability?location_id={loc['id']}&service_id={svc['id']}"
                                 f"&from={start0.isoformat().replace('+00:00', 'Z')}"
                                 f"&to={(start0 + dt.timedelta(hours=6)).isoformat().replace('+00:00', 'Z')}")
                counts[st] = counts.get(st, 0) + 1

        with concurrent.futures.ThreadPoolExecutor(CONCURRENCY) as ex:
            list(ex.map(worker, range(CONCURRENCY)))
        print(f"load {SECONDS:.0f}s x {CONCURRENCY} threads: {counts}")
        print("after load:    ", rss(server.pid))
        time.sleep(12)
        print("12 s later:    ", rss(server.pid))
    finally:
        server.terminate(); server.wait()
        if backend != "sqlite":
            subprocess.run(["psql", PG_ADMIN, "-qc", f"DROP DATABASE {db} WITH (FORCE)"])


for b in sys.argv[1:] or ["sqlite", "postgres"]:
    run(b)
