"""Certificate PDFs: the time for one certificate and certificates per second for a batch of 200.

    .venv/bin/python bench/certificates.py [--n 30] [--batch 200] [--db bench_certs]

Runs in-process against its own PostgreSQL database (``--db``, or ``BENCH_DB``, default
``bench_certs``; server from ``BENCH_PG_URL``, default ``postgres://postgres:postgres@127.0.0.1:5432``),
which it creates, migrates and fills once with ``--batch`` issued certificates of 滨海新区 (numbers taken
by ``certificate_issue``, the real service). Then:

1. one certificate (``certificate_pdf.render_certificate``, what the download serves): three warm-up
   renders (the first loads the fonts), then ``--n`` timed ones → median and p95;
2. a batch: the Celery task ``render_certificate_batch`` run in-process with ``.apply()`` (the same
   code path the worker runs: job state in the cache, ``render_batch`` in chunks, the PDF written to
   storage) → total time, certificates per second, pages and size of the PDF.

It also says whether ``libharfbuzz-subset0`` is installed and loaded into this process (WeasyPrint
subsets the CJK fonts with it; without it a one-page Chinese PDF takes ~12 s). Aim (issue #6): under
0.5 s for one certificate on the 2-core development machine. Prints; asserts nothing.
"""

from __future__ import annotations

import argparse
import ctypes.util
import datetime as dt
import io
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PREFIX = "证书基准企业"  # names of the bench's enterprises: the fill runs once per database


def configure(db_name: str, var_dir: str) -> None:
    pg = os.environ.get("BENCH_PG_URL", "postgres://postgres:postgres@127.0.0.1:5432").rstrip("/")
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "false",
            "SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
            "ALLOWED_HOSTS": "testserver,127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_COOKIES": "false",
            "DATABASE_URL": f"{pg}/{db_name}",
            "LOG_LEVEL": "WARNING",
            # Local cache and media: the job state and the batch file stay on this machine.
            "VAR_DIR": var_dir,
        }
    )
    os.environ.pop("REDIS_URL", None)


def ensure_database(db_name: str) -> None:
    import psycopg2
    from psycopg2 import sql

    pg = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    conn = psycopg2.connect(pg + "/postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (db_name,))
        if cur.fetchone() is None:
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db_name)))
    conn.close()


def fill(count: int) -> list[int]:
    """``count`` issued certificates of the bench's enterprises (created once); their ids."""
    from accounts.models import Role, User
    from certification.certificates import services as certificates
    from certification.models import Application, Certificate, Enterprise, Field, RuleSet
    from core.uscc import make_uscc
    from districts.models import District

    existing = list(
        Certificate.objects.filter(enterprise_name__startswith=PREFIX)
        .order_by("number")
        .values_list("pk", flat=True)
    )
    if len(existing) >= count:
        return existing[:count]
    print(f"issuing {count - len(existing)} certificates …", flush=True)
    binhai = District.objects.get(code="120116")
    official, _created = User.objects.get_or_create(
        username="bench_cert_official", defaults={"role": Role.DISTRICT, "district": binhai}
    )
    fields = list(Field.objects.filter(catalogue__in_force=True, parent__isnull=False))
    rule_set = RuleSet.objects.get(is_default=True)
    start = Enterprise.objects.filter(name__startswith=PREFIX).count()
    enterprises = Enterprise.objects.bulk_create(
        Enterprise(
            name=f"{PREFIX}{i:04d}（天津）智能科技有限公司",
            uscc=make_uscc(f"91120116MC{i:07d}"),
            district=binhai,
            registered_on=dt.date(2018, 1, 1),
            address="天津市滨海新区",
            contact_name="张三",
            contact_phone="022-12345678",
        )
        for i in range(start, start + count - len(existing))
    )
    applications = Application.objects.bulk_create(
        Application(
            enterprise=e, year=2026, rule_set=rule_set, status="approved", field=fields[i % len(fields)]
        )
        for i, e in enumerate(enterprises)
    )
    certificates.certificate_issue(
        by=official, application_ids=[a.pk for a in applications], issued_on=dt.date(2026, 12, 1)
    )
    return list(
        Certificate.objects.filter(enterprise_name__startswith=PREFIX)
        .order_by("number")
        .values_list("pk", flat=True)
    )[:count]


def harfbuzz_subset() -> tuple[str, str]:
    """(where the library was found, whether this process has it mapped)."""
    found = ctypes.util.find_library("harfbuzz-subset") or "not found"
    try:
        maps = Path("/proc/self/maps").read_text()
    except OSError:
        return found, "unknown (no /proc/self/maps)"
    loaded = sorted({line.split()[-1] for line in maps.splitlines() if "libharfbuzz-subset" in line})
    return found, ("yes: " + ", ".join(loaded)) if loaded else "no"


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=30, help="timed single renders (after 3 warm-ups)")
    parser.add_argument("--batch", type=int, default=200, help="certificates in the batch")
    parser.add_argument("--db", default=os.environ.get("BENCH_DB", "bench_certs"))
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-certs-") as var_dir:
        configure(args.db, var_dir)
        ensure_database(args.db)
        import django

        django.setup()
        from django.core.files.storage import default_storage
        from django.core.management import call_command
        from pypdf import PdfReader

        from certification.certificates import pdf as certificate_pdf
        from certification.certificates import tasks as certificate_tasks
        from certification.models import Certificate

        call_command("migrate", verbosity=0)
        ids = fill(args.batch)
        one = Certificate.objects.select_related("district").get(pk=ids[0])

        print(f"certificate PDF benchmark (database {args.db}, {os.cpu_count()} CPUs)")
        found, _loaded = harfbuzz_subset()
        print(f"libharfbuzz-subset0: library {found}")

        for _ in range(3):  # the first render in a process loads and parses the fonts
            certificate_pdf.render_certificate(one)
        times = []
        size = 0
        for _ in range(args.n):
            started = time.perf_counter()
            pdf = certificate_pdf.render_certificate(one)
            times.append(time.perf_counter() - started)
            size = len(pdf)
        print(
            f"one certificate (warm, N={args.n}): median {statistics.median(times) * 1000:.0f} ms, "
            f"p95 {p95(times) * 1000:.0f} ms, min {min(times) * 1000:.0f} ms, {size / 1024:.0f} KB"
        )

        job_id = uuid.uuid4().hex
        certificate_tasks.JOBS.save(  # what batch_start records, without enqueuing to a broker
            job_id,
            {
                "state": "queued",
                "done": 0,
                "total": len(ids),
                "district_id": one.district_id,
                "user_id": None,
                "file": "",
            },
        )
        started = time.perf_counter()
        result = certificate_tasks.render_certificate_batch.apply(args=(job_id, ids)).get()
        elapsed = time.perf_counter() - started
        with default_storage.open(result["file"], "rb") as handle:
            batch_pdf = handle.read()
        pages = len(PdfReader(io.BytesIO(batch_pdf)).pages)
        print(
            f"batch of {len(ids)} (render_certificate_batch in-process): {elapsed:.1f} s, "
            f"{len(ids) / elapsed:.1f} certificates/s, {elapsed / len(ids) * 1000:.0f} ms each, "
            f"{pages} pages, {len(batch_pdf) / 1024 / 1024:.1f} MB, job state {certificate_tasks.batch_job(job_id)['state']}"
        )
        _found, loaded = harfbuzz_subset()
        print(f"libharfbuzz-subset0 loaded in this process: {loaded}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
