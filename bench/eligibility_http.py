"""HTTP benchmark of ``POST /api/v1/eligibility/check/`` through gunicorn on PostgreSQL.

Usage: ``.venv/bin/python bench/eligibility_http.py [--requests 2000] [--workers 2] [--max-seconds 180]``

Creates the database ``portal_bench`` (``BENCH_DB`` to name another) if it is missing (psycopg2) and migrates it, starts
``gunicorn config.wsgi -w 2`` on a free port of 127.0.0.1 with production-like settings
(``DEBUG=false``), waits for ``/healthz/``, sends the given number of sequential requests with
``urllib`` — a reproducible mix of realistic bodies over both rule sets, about one in ten with
an input error (400) — then prints the median and p95 latency in milliseconds and requests per
second, and stops gunicorn. Only 127.0.0.1 is contacted; the run is bounded in count and time.

The endpoint's throttle (120/min per address) would stop a single client at once, so the bench
sets ``ELIGIBILITY_RATE`` (read by ``certification.eligibility.api.views.EligibilityRateThrottle``) high:
the throttle still runs and its cache round trip is part of the measured latency.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import _server

ROOT = _server.ROOT
VENV_BIN = _server.VENV_BIN
HOST = _server.HOST
PG_URL = _server.PG_URL
DB_NAME = os.environ.get("BENCH_DB", "portal_bench")
MAX_REQUESTS = 20_000
FIELD_CODES = [
    f"{top:02d}{sub:02d}"
    for top, subs in enumerate((8, 7, 2, 6, 8, 4, 8, 9), start=1)
    for sub in range(1, subs + 1)
]


def server_env(var_dir: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DEBUG": "false",
            "SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
            "ALLOWED_HOSTS": HOST,
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_COOKIES": "false",
            "DATABASE_URL": f"{PG_URL}/{DB_NAME}",
            "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15"),
            "ELIGIBILITY_RATE": "1000000/min",
            "VAR_DIR": var_dir,  # keeps static and cache files out of the working tree
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def make_bodies(count: int, seed: int = 2015) -> list[dict[str, Any]]:
    """A reproducible mix: both rule sets, 1–3 years, all revenue bands, passes, failures, some 400s."""
    rng = random.Random(seed)
    kinds = ["invention_patent", "utility_model", "software_copyright", "design_patent"]
    modes = ["self_developed", "transfer", "gift", "merger", "exclusive_license"]
    bodies = []
    for i in range(count):
        total = rng.randint(10, 800)
        sales_base = rng.choice([rng.randint(2, 49), rng.randint(50, 200), rng.randint(201, 900)]) * 1_000_000
        years = []
        for k, year in enumerate(range(2025 - rng.randint(0, 2), 2026)):
            sales = sales_base + k * rng.randint(0, 3_000_000)
            rd = sales * rng.randint(2, 9) // 100
            years.append(
                {
                    "year": year,
                    "sales_revenue": f"{sales}.00",
                    "total_revenue": f"{sales + rng.randint(0, 2_000_000)}.00",
                    "hightech_revenue": f"{sales * rng.randint(40, 90) // 100}.00",
                    "rd_expense": f"{rd}.00",
                    "rd_expense_domestic": f"{rd * rng.randint(50, 100) // 100}.00",
                    "total_assets": f"{sales * rng.randint(1, 3)}.50",
                }
            )
        ip = []
        for _ in range(rng.randint(0, 6)):
            mode = rng.choice(modes)
            ip.append(
                {
                    "kind": rng.choice(kinds),
                    "acquired_on": f"{rng.randint(2019, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                    "acquisition": mode,
                    "licence_years": rng.randint(2, 10) if mode == "exclusive_license" else None,
                }
            )
        body: dict[str, Any] = {
            "rule_set": rng.choice(["tianjin-2015", "tianjin-2015", "national-2016"]),
            "as_of": "2026-06-30",
            "registered_on": f"{rng.randint(2010, 2026)}-{rng.randint(1, 5):02d}-{rng.randint(1, 28):02d}",
            "registered_in_tianjin": rng.random() < 0.95,
            "field_code": rng.choice(FIELD_CODES),
            "ip": ip,
            "staff": {
                "total": total,
                "tech_college": total * rng.randint(5, 40) // 100,
                "rd": total * rng.randint(3, 15) // 100,
            },
            "fiscal_years": years,
        }
        if rng.random() < 0.6:
            body["composite_score"] = rng.randint(40, 95)
        if i % 10 == 9:  # an input error, as the live page sends while someone types
            body["staff"]["rd"] = total + 1
            years[-1]["rd_expense_domestic"] = f"{int(years[-1]['rd_expense'][:-3]) + 1}.00"
        bodies.append(body)
    return bodies


def post(url: str, body: bytes, timeout: float) -> int:
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "Accept": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as exc:
        exc.read()
        return int(exc.code)


def percentile(sorted_values: list[float], fraction: float) -> float:
    index = min(len(sorted_values) - 1, max(0, round(fraction * len(sorted_values)) - 1))
    return sorted_values[index]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--max-seconds", type=float, default=180.0, help="stop sending after this long")
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument(
        "--port",
        default=None,
        help="port or range of 127.0.0.1, e.g. 8140-8149 (default BENCH_PORTS, else any)",
    )
    args = parser.parse_args()
    if not 1 <= args.requests <= MAX_REQUESTS:
        parser.error(f"--requests must be between 1 and {MAX_REQUESTS}")
    if not 1 <= args.workers <= 8:
        parser.error("--workers must be between 1 and 8")

    _server.ensure_database(DB_NAME)
    with tempfile.TemporaryDirectory(prefix="portal-bench-") as var_dir:
        env = server_env(var_dir)
        subprocess.run(
            [str(VENV_BIN / "python"), "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
            timeout=600,
        )
        # The server's log (a "Bad Request" line per 400) goes to a file, shown only on failure.
        log_path = Path(var_dir) / "gunicorn.log"
        with _server.gunicorn(env, _server.pick_port(args.port), args.workers, log_path) as base:
            url = base + "/api/v1/eligibility/check/"
            bodies = [json.dumps(b).encode() for b in make_bodies(args.requests)]
            for body in bodies[: args.warmup]:  # fills both workers' rule-set caches
                post(url, body, timeout=10)

            latencies: list[float] = []
            statuses: dict[int, int] = {}
            deadline = time.monotonic() + args.max_seconds
            started = time.perf_counter()
            for body in bodies:
                if time.monotonic() > deadline:
                    print(f"stopped after {args.max_seconds:.0f} s")
                    break
                t0 = time.perf_counter()
                code = post(url, body, timeout=10)
                latencies.append((time.perf_counter() - t0) * 1000)
                statuses[code] = statuses.get(code, 0) + 1
            elapsed = time.perf_counter() - started

    latencies.sort()
    print(
        f"POST /api/v1/eligibility/check/ via gunicorn -w {args.workers}, PostgreSQL {DB_NAME}, sequential urllib"
    )
    print(f"requests: {len(latencies)}  status: {dict(sorted(statuses.items()))}")
    print(
        f"median: {statistics.median(latencies):.2f} ms  p95: {percentile(latencies, 0.95):.2f} ms  "
        f"p99: {percentile(latencies, 0.99):.2f} ms  max: {latencies[-1]:.2f} ms"
    )
    print(f"throughput: {len(latencies) / elapsed:.1f} requests/s")
    bad = {code: n for code, n in statuses.items() if code not in (200, 400)}
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
