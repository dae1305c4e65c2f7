#!/usr/bin/env python3
"""An open-loop HTTP GET generator, for when oha is not installed.

    openloop.py RATE SECONDS URL [HEADER ...]  > summary.json
    openloop.py RATE SECONDS @FILE [HEADER ...]  > summary.json

With @FILE, request i asks for line i (modulo the line count) of FILE, one URL per line on
one host: distinct windows, so that no answer kept by the server is asked twice.

Request i is due at t0 + i / RATE whatever happened to the earlier ones; its latency is
counted from when it was due, so a request that waits behind a slow one (for a free
connection) is counted, not omitted. Keep-alive connections are opened as needed, without
a cap (an overloaded server sees as many as are waiting). Prints a JSON summary shaped like the fields of oha's JSON that
benches/perf.sh reads.
"""

import asyncio
import json
import sys
import time
from urllib.parse import urlsplit


async def main():
    rate, seconds, url = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
    headers = "".join(h + "\r\n" for h in sys.argv[4:])
    urls = open(url[1:]).read().split() if url.startswith("@") else [url]
    u = urlsplit(urls[0])

    def request_for(i):
        v = urlsplit(urls[i % len(urls)])
        path = v.path + ("?" + v.query if v.query else "")
        return (f"GET {path} HTTP/1.1\r\nHost: {u.netloc}\r\n{headers}\r\n").encode()
    idle, lat, codes, errors = [], [], {}, {}
    open_conns = 0

    async def one(due, request):
        nonlocal open_conns
        try:
            reused = bool(idle)
            if reused:
                r, w = idle.pop()
            else:
                open_conns += 1
                r, w = await asyncio.open_connection(u.hostname, u.port or 80)
            try:
                w.write(request)
                status = await r.readline()
                if not status:
                    raise ConnectionResetError("closed before answering")
            except ConnectionError:
                # A kept-alive connection the server closed as idle just as it was taken:
                # as any HTTP client does for a GET, send again on a new connection (the
                # latency still counts from when the request was due).
                if not reused:
                    raise
                open_conns += 1
                r, w = await asyncio.open_connection(u.hostname, u.port or 80)
                w.write(request)
                status = await r.readline()
                if not status:
                    raise ConnectionResetError("closed before answering")
            length = 0
            while True:
                line = await r.readline()
                if line in (b"\r\n", b""):
                    break
                k, _, v = line.decode().partition(":")
                if k.lower() == "content-length":
                    length = int(v)
            await r.readexactly(length)
            lat.append(time.monotonic() - due)
            code = status.split()[1].decode()
            codes[code] = codes.get(code, 0) + 1
            idle.append((r, w))
        except Exception as e:  # counted, the run goes on
            errors[type(e).__name__] = errors.get(type(e).__name__, 0) + 1

    t0 = time.monotonic()
    n = int(rate * seconds)
    tasks = []
    for i in range(n):
        due = t0 + i / rate
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(due, request_for(i))))
    await asyncio.gather(*tasks)
    took = time.monotonic() - t0
    lat.sort()

    def q(f):
        return lat[min(len(lat) - 1, int(f * len(lat)))] if lat else None

    print(json.dumps({
        "summary": {"requestsPerSec": len(lat) / took},
        "latencyPercentiles": {"p50": q(0.5), "p99": q(0.99), "p99.9": q(0.999)},
        "statusCodeDistribution": codes,
        "errorDistribution": errors,
        "connections": open_conns,
        "generator": "benches/openloop.py",
    }))


asyncio.run(main())
