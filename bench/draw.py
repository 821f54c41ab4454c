"""Benchmark of the expert draw on a pool of 10,000 experts: the pure function, and the whole service.

Usage: ``.venv/bin/python bench/draw.py [--experts 10000] [--draws 200] [--seed 2015]
[--service-draws 50] [--no-service]``

Part 1, the pure draw (experts.draw.draw), in memory:

Builds a reproducible in-memory pool (no database): 80% technical experts spread over the 2016
catalogue's top-level fields and sub-fields, 20% financial; a few percent inactive, over their cap,
with declared relations, employed by the enterprise or by its intermediary, or reviewers of the
enterprise last year. Then runs ``--draws`` draws with different seeds for an application in a
sub-field (each draw screens the whole pool, as a real one does) and prints the median and p95
time per draw. Aim (issue, part 4): a median under 50 ms.

Part 2, the whole service (experts.services.draws.draw_experts) on PostgreSQL: the database's
snapshot of the pool (experts, their fields, relations and review counts), the conflicts, the pure
draw and the writes (the Draw record with its eligible/excluded snapshot, the reviews, the
transition). It runs in-process against a scratch database (``BENCH_DB``, default
`portal_bench_draw`) that it creates, migrates and fills once with the same kind of pool as part 1
(users, experts, field memberships, declared relations, and this year's reviews of 300 other
applications for the yearly caps). Each draw runs in a transaction that is rolled back, so the same
accepted application is drawn again; prints the median and p95 per draw and the queries of one draw.
No assertions: it prints.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from experts.draw import (  # noqa: E402 - after the sys.path set-up above
    FINANCIAL,
    TECHNICAL,
    DrawRequest,
    DrawRules,
    PoolExpert,
    draw,
)

TOP_FIELDS = [f"{top:02d}" for top in range(1, 9)]
SUB_FIELDS = [f"{top}{sub:02d}" for top in TOP_FIELDS for sub in range(1, 9)]
ENTERPRISE = "91120116MA0000001X"
INTERMEDIARY = "91120116MA0000002Y"


def make_pool(count: int, seed: int) -> list[PoolExpert]:
    rng = random.Random(seed)
    pool = []
    for eid in range(1, count + 1):
        technical = rng.random() < 0.8
        if technical:
            codes = frozenset(rng.sample(TOP_FIELDS + SUB_FIELDS, rng.randint(1, 3)))
        else:
            codes = frozenset()
        roll = rng.random()
        employer = f"9112011{eid:010d}X"
        if roll < 0.01:
            employer = ENTERPRISE
        elif roll < 0.02:
            employer = INTERMEDIARY
        related = ENTERPRISE if rng.random() < 0.01 else f"91120116MC{eid:07d}X"
        relations = frozenset({("", related)})
        cap = 20
        pool.append(
            PoolExpert(
                id=eid,
                kind=TECHNICAL if technical else FINANCIAL,
                field_codes=codes,
                employer_uscc=employer,
                relations=relations,
                active=rng.random() > 0.03,
                load=cap if rng.random() < 0.03 else rng.randint(0, cap - 1),
                cap=cap,
                reviewed_enterprise_last_year=rng.random() < 0.01,
            )
        )
    rng.shuffle(pool)  # the draw sorts; the bench makes it do so
    return pool


def p95_of(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(round(0.95 * len(ordered))) - 1)]


BENCH_PREFIX = "bench_draw_"
YEAR = 2026


def fill_database(count: int, seed: int) -> int:
    """Experts of make_pool(count, seed) as rows (once), an accepted application to draw; its pk."""
    import datetime as dt

    from django.contrib.auth.hashers import make_password

    from accounts.models import Role, User
    from certification.models import Application, Enterprise, Field, RuleSet
    from districts.models import District
    from experts.models import Draw, Expert, ExpertRelation, Review

    binhai = District.objects.get(code="120116")
    rule_set = RuleSet.objects.get(is_default=True)
    fields = {
        f.code: f
        for f in Field.objects.filter(catalogue__in_force=True).select_related("parent")
        if f.code[:2] in TOP_FIELDS
    }
    official, _created = User.objects.get_or_create(
        username=BENCH_PREFIX + "official", defaults={"role": Role.DISTRICT, "district": binhai}
    )
    enterprise, _created = Enterprise.objects.get_or_create(
        uscc=ENTERPRISE,
        defaults={
            "name": "基准抽取企业",
            "district": binhai,
            "registered_on": dt.date(2018, 1, 1),
            "address": "天津市",
            "contact_name": "张三",
            "contact_phone": "022-12345678",
        },
    )
    application, _created = Application.objects.get_or_create(
        enterprise=enterprise,
        year=YEAR,
        defaults={
            "rule_set": rule_set,
            "status": "accepted",  # a bench's fixture, as bench/district_queue.py fills its queue
            "field": fields["0103"],
            "audit_firm_uscc": INTERMEDIARY,
            "audit_firm": "基准会计师事务所",
        },
    )
    have = Expert.objects.filter(user__username__startswith=BENCH_PREFIX).count()
    if have >= count:
        return application.pk
    print(f"filling {count:,} experts …", flush=True)
    pool = sorted(make_pool(count, seed), key=lambda e: e.id)
    password = make_password(None)
    User.objects.bulk_create(
        [User(username=f"{BENCH_PREFIX}{e.id:05d}", role=Role.EXPERT, password=password) for e in pool],
        batch_size=2000,
    )
    users = dict(
        User.objects.filter(username__startswith=BENCH_PREFIX, role=Role.EXPERT).values_list("username", "pk")
    )
    Expert.objects.bulk_create(
        [
            Expert(
                user_id=users[f"{BENCH_PREFIX}{e.id:05d}"],
                name=f"专家{e.id:05d}",
                kind=e.kind,
                title="教授",
                employer=f"单位{e.employer_uscc}",
                employer_uscc=e.employer_uscc,
                active=e.active,
                yearly_cap=e.cap,
            )
            for e in pool
        ],
        batch_size=2000,
    )
    experts = dict(
        Expert.objects.filter(user__username__startswith=BENCH_PREFIX).values_list("user__username", "pk")
    )
    pk_of = {e.id: experts[f"{BENCH_PREFIX}{e.id:05d}"] for e in pool}
    Expert.fields.through.objects.bulk_create(
        [
            Expert.fields.through(expert_id=pk_of[e.id], field_id=fields[code].pk)
            for e in pool
            for code in sorted(e.field_codes)
            if code in fields
        ],
        batch_size=5000,
    )
    ExpertRelation.objects.bulk_create(
        [
            ExpertRelation(expert_id=pk_of[e.id], uscc=uscc, enterprise_name=name)
            for e in pool
            for name, uscc in sorted(e.relations)
        ],
        batch_size=5000,
    )
    # This year's reviews of 300 other applications: the yearly caps count them.
    rng = random.Random(seed)
    others = Enterprise.objects.bulk_create(
        [
            Enterprise(
                name=f"基准抽取其他企业{i:03d}",
                uscc=f"91120116MD{i:07d}X",
                district=binhai,
                registered_on=dt.date(2018, 1, 1),
                address="天津市",
                contact_name="李四",
                contact_phone="022-12345678",
            )
            for i in range(300)
        ]
    )
    apps = Application.objects.bulk_create(
        [
            Application(
                enterprise=o,
                district_id=o.district_id,
                year=YEAR,
                rule_set=rule_set,
                status="under_review",
                field=fields["0101"],
            )
            for o in others
        ]
    )
    draws = Draw.objects.bulk_create(
        [
            Draw(
                application=a,
                seed="0" * 32,
                algorithm_version="bench",
                rules={},
                eligible_ids=[],
                excluded=[],
                panel=[],
                alternates=[],
                created_by=official,
            )
            for a in apps
        ]
    )
    ids = list(pk_of.values())
    Review.objects.bulk_create(
        [
            Review(draw=d, application_id=d.application_id, expert_id=expert_id, kind="technical")
            for d in draws
            for expert_id in rng.sample(ids, 7)
        ],
        batch_size=5000,
    )
    return application.pk


def bench_service(count: int, seed: int, draws: int) -> None:
    import _server

    db_name = _server.in_process("portal_bench_draw")
    _server.ensure_database(db_name)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from certification.models import Application
    from experts.selectors import draw_snapshot
    from experts.services.draws import draw_experts

    call_command("migrate", verbosity=0)
    application_pk = fill_database(count, seed)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    official = User.objects.get(username=BENCH_PREFIX + "official")

    def one_draw() -> tuple[float, int]:
        application = Application.objects.get(pk=application_pk)
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            with transaction.atomic():
                record = draw_experts(application=application, by=official)
                transaction.set_rollback(True)  # the same accepted application is drawn again
            elapsed = (time.perf_counter() - started) * 1000
        assert len(record.panel) >= 5
        return elapsed, len(queries)

    one_draw()  # warm-up
    times, query_counts = [], set()
    for _ in range(draws):
        elapsed, queries = one_draw()
        times.append(elapsed)
        query_counts.add(queries)
    snapshot_times = []
    application = Application.objects.select_related("enterprise", "field__parent", "rule_set").get(
        pk=application_pk
    )
    for _ in range(draws):
        started = time.perf_counter()
        pool, others = draw_snapshot(application)
        snapshot_times.append((time.perf_counter() - started) * 1000)
    print(
        f"service draw on PostgreSQL ({db_name}), {len(pool) + others:,} experts in the pool "
        f"({len(pool):,} screened, {others:,} of other fields counted), {draws} draws, "
        f"queries per draw {sorted(query_counts)}:"
    )
    print(
        f"  whole service (snapshot, conflicts, draw, writes): median {statistics.median(times):.2f} ms, "
        f"p95 {p95_of(times):.2f} ms, min {min(times):.2f} ms, max {max(times):.2f} ms (aim: < 50 ms)"
    )
    print(
        f"  of which the snapshot (experts.selectors.draw_snapshot): median {statistics.median(snapshot_times):.2f} ms, "
        f"p95 {p95_of(snapshot_times):.2f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experts", type=int, default=10_000)
    parser.add_argument("--draws", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2015)
    parser.add_argument("--service-draws", type=int, default=50)
    parser.add_argument("--no-service", action="store_true", help="time the pure function only")
    args = parser.parse_args()

    pool = make_pool(args.experts, args.seed)
    request = DrawRequest(
        application_field_code="0103",
        field_parent_code="01",
        enterprise_uscc=ENTERPRISE,
        intermediary_uscc=INTERMEDIARY,
        rules=DrawRules(min_panel=5, min_technical_share=Decimal("0.6"), min_financial=1),
    )
    draw(pool, request, "warm-up")
    times = []
    result = None
    for i in range(args.draws):
        started = time.perf_counter()
        result = draw(pool, request, f"bench-{args.seed}-{i}")
        times.append((time.perf_counter() - started) * 1000)
    assert result is not None
    times.sort()
    p95 = p95_of(times)
    print(
        f"pool: {len(pool)} experts; eligible for field 0103: {len(result.eligible_technical)} technical, "
        f"{len(result.eligible_financial)} financial; excluded: {len(result.excluded)}; "
        f"off-field technical: {result.off_field}"
    )
    print(f"panel: {[(p.expert_id, p.kind, p.chair) for p in result.panel]}")
    print(
        f"{args.draws} draws: median {statistics.median(times):.2f} ms, p95 {p95:.2f} ms, "
        f"min {times[0]:.2f} ms, max {times[-1]:.2f} ms per draw (aim: median < 50 ms)"
    )
    if not args.no_service:
        bench_service(args.experts, args.seed, args.service_draws)


if __name__ == "__main__":
    main()
