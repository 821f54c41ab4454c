"""Profile of the pages of bench/load.py: where a request's time goes.

Runs in-process (Django test client, the production-like settings of ``bench.settings``, a local
cache) on the database bench/load.py fills (``BENCH_DB``, default ``portal_load``; run load.py once
first). For each scenario (``--scenario NAME``, repeatable, or all; ``--list`` names them) it
requests the page ``--repeat`` times, signed in as bench/load.py's users, and prints per request
(medians): the number of SQL queries, the total time, the time in SQL, the time in templates (the
SQL run while rendering counted once, in SQL) and the rest (Python: middleware, view, forms,
serializers). ``--explain`` adds ``EXPLAIN (ANALYZE, BUFFERS)`` of each scenario's slowest query;
``--queries`` lists every query of one request with its time; ``--profile N`` runs the scenario's
requests once more under cProfile and prints its N functions with the most time of their own.

    BENCH_DB=h_perf_bench .venv/bin/python bench/pages.py [--repeat 20] [--scenario "district queue page"] [--explain]

Asserts nothing about time; reads only (the bench's sessions are the test client's).
"""

from __future__ import annotations

import argparse
import contextlib
import random
import statistics
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import _server

DB_NAME = _server.in_process(
    "portal_load",
    DJANGO_SETTINGS_MODULE="bench.settings",
    # bench/load.py's server: the sign-in is the test client's force_login, no rate limits.
    OTP_REQUIRED="false",
    ALLOW_INSECURE_TEST_SETTINGS="true",
    ELIGIBILITY_RATE="",
    VERIFY_RATE="",
    OBJECTION_RATE="",
    REPORT_RATE="",
)


@dataclass
class Sample:
    total: float = 0.0
    sql: float = 0.0
    template: float = 0.0  # rendering, less the SQL run inside it
    queries: list[tuple[float, str, object]] = field(default_factory=list)


class Recorder:
    """Times every query (``connection.execute_wrapper``) and every top-level template render."""

    def __init__(self) -> None:
        self.sample = Sample()
        self.in_template = 0

    def __call__(self, execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent = time.perf_counter() - started
            self.sample.sql += spent
            if self.in_template:
                self.sample.template -= spent
            self.sample.queries.append((spent, sql, params))

    @contextlib.contextmanager
    def templates(self) -> Iterator[None]:
        from django.template.backends.django import Template

        original = Template.render
        recorder = self

        def render(template, context=None, request=None):  # type: ignore[no-untyped-def]
            recorder.in_template += 1
            started = time.perf_counter()
            try:
                return original(template, context, request)
            finally:
                recorder.in_template -= 1
                if not recorder.in_template:
                    recorder.sample.template += time.perf_counter() - started

        Template.render = render  # type: ignore[method-assign]
        try:
            yield
        finally:
            Template.render = original  # type: ignore[method-assign]


def explain(sql: str, params: object) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def profile(client, endpoint, repeat: int, top: int) -> None:  # type: ignore[no-untyped-def]
    """The scenario's requests under cProfile: the functions with the most time of their own."""
    import cProfile
    import io
    import pstats

    rng = random.Random(11)
    requests = [endpoint.make(rng) for _ in range(repeat)]
    profiler = cProfile.Profile()
    profiler.enable()
    for path, body in requests:
        if body is None:
            client.get(path, HTTP_ACCEPT="text/html")
        else:
            client.post(path, body, content_type="application/json")
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
    print("    " + out.getvalue().strip().replace("\n", "\n    "))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="requests per scenario (1–200)")
    parser.add_argument("--scenario", action="append", default=[], metavar="NAME")
    parser.add_argument("--list", action="store_true", help="print the scenarios' names and stop")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the slowest query")
    parser.add_argument("--queries", action="store_true", help="every query of one request, with its time")
    parser.add_argument(
        "--profile", type=int, default=0, metavar="N", help="cProfile: the N functions with most own time"
    )
    args = parser.parse_args()
    if not 1 <= args.repeat <= 200:
        parser.error("--repeat must be between 1 and 200")

    import django

    django.setup()
    import load  # bench/load.py: its users, its targets, its scenarios

    names = load.scenario_names()
    if args.list:
        print("\n".join([load.BARE, load.ANCHOR, *names]))
        return 0
    unknown = [n for n in args.scenario if n not in names + [load.BARE, load.ANCHOR]]
    if unknown:
        parser.error(f"unknown scenario {', '.join(unknown)} (see --list)")

    from django.db import connection
    from django.test import Client

    from accounts.models import User

    t = load.targets()
    clients: dict[str | None, Client] = {None: Client()}
    for role, username in (
        ("official", f"load_official_{load.BINHAI}"),
        ("enterprise", "load_enterprise"),
        ("municipal", "load_municipal"),
        ("expert", load.EXPERT_USER),
    ):
        clients[role] = Client()
        clients[role].force_login(User.objects.get(username=username))
    chosen = [load.bare_endpoint(), load.anchor_endpoint(), *load.endpoints(t, {})]
    chosen = [e for e in chosen if not args.scenario or e.name in args.scenario]

    print(
        f"in-process profile on {DB_NAME} (bench.settings, DEBUG off, local cache), {args.repeat} requests "
        f"a scenario, medians per request; template = rendering less its SQL; Python = the rest"
    )
    header = (
        f"{'scenario':<30} {'queries':>7} {'total ms':>8} {'SQL ms':>7} {'tmpl ms':>7} {'Python ms':>9}  "
        f"slowest query ms"
    )
    print(header)
    print("-" * len(header))
    for endpoint in chosen:
        client = clients[endpoint.session]
        rng = random.Random(11)
        samples: list[Sample] = []
        for i in range(args.repeat + 2):  # two to warm up
            path, body = endpoint.make(rng)
            recorder = Recorder()
            json_api = path.startswith(("/api/", "/bench/"))
            headers = {"HTTP_ACCEPT": "application/json" if json_api else "text/html"}
            with connection.execute_wrapper(recorder), recorder.templates():
                started = time.perf_counter()
                if body is None:
                    response = client.get(path, **headers)
                else:
                    response = client.post(path, body, content_type="application/json", **headers)
                recorder.sample.total = time.perf_counter() - started
            if response.status_code not in endpoint.ok:
                print(f"{endpoint.name}: {path} answered {response.status_code}", file=sys.stderr)
            if i >= 2:
                samples.append(recorder.sample)

        def med(values: list[float]) -> float:
            return statistics.median(values) * 1000

        total = med([s.total for s in samples])
        sql = med([s.sql for s in samples])
        template = med([s.template for s in samples])
        python = med([s.total - s.sql - s.template for s in samples])
        count = statistics.median_low([len(s.queries) for s in samples])
        slowest = max((q for s in samples for q in s.queries), key=lambda q: q[0], default=None)
        print(
            f"{endpoint.name:<30} {count:>7} {total:>8.1f} {sql:>7.1f} {template:>7.1f} {python:>9.1f}  "
            f"{slowest[0] * 1000 if slowest else 0:.1f}"
        )
        if args.queries and samples:
            for spent, sql_text, _params in samples[-1].queries:
                print(f"    {spent * 1000:7.2f} ms  {sql_text[:300]}")
        if args.profile:
            profile(client, endpoint, args.repeat, args.profile)
        if args.explain and slowest is not None:
            print("    slowest: " + slowest[1][:400])
            print("    " + explain(slowest[1], slowest[2]).replace("\n", "\n    "))
    return 0


if __name__ == "__main__":
    sys.exit(main())
