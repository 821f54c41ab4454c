"""`make run`'s serving script (scripts/run.sh): it stops, restarts and keeps everything inside VAR_DIR.

Started as `make run` starts it (SQLite and the file-system broker under a fresh VAR_DIR, through
tests/portal_process.py), then:

- stopped the two ways a person stops it: SIGTERM to its process group (a service manager, `timeout`)
  and SIGINT to it (Ctrl-C in the terminal). Every process it started (gunicorn and its workers, the
  Celery worker and its pool, beat) must be gone within STOP_LIMIT seconds; before, the worker's main
  process hung in its warm shutdown and kept consuming the var/ queue. The second start reuses the
  first one's VAR_DIR: a restart finds its database and demo data and comes up again.
- restarted on the same VAR_DIR: the second start has the first one's data, the demo seed not doubled;
  a batch print cut short by Ctrl-C is finished after the next start, every certificate exactly once.
- nothing appears in the repository outside var/ (`git status --porcelain`, var/ ignored): the Kombu
  control folder once appeared as `control/` beside manage.py.
"""

from __future__ import annotations

import io
import json
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from pypdf import PdfReader

from tests.embedded_default import ROOT, embedded_env
from tests.portal_process import STOP_LIMIT, free_port, outside_var, start, stop

PASSWORD = "Demo-Pass-2026"
BATCH_SIZE = 200  # certificates in the interrupted batch
# The batch's start gets a 1 s stop grace (run.sh's STOP_GRACE, 5 s by default): at about 14
# certificates a second, 200 outlasted the default grace on a busy machine but not always on a quiet
# one (seen: the batch finished inside the warm shutdown), so the cut would depend on the machine.
BATCH_STOP_GRACE = {"STOP_GRACE": "1"}


def in_var_dir(var_dir: Path, script: str) -> str:
    """Run ``script`` with Django set up on the portal's VAR_DIR (no migrate: the portal did that)."""
    out = subprocess.run(
        [sys.executable, "-c", "import django\ndjango.setup()\n" + script],
        cwd=ROOT,
        env=embedded_env(var_dir),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout


COUNTS = """
import json
from django.apps import apps
labels = [
    "accounts.User", "districts.District", "certification.Catalogue", "certification.Field",
    "certification.RuleSet", "workdays.CalendarYear", "workdays.CalendarDay",
    "certification.Enterprise", "certification.Application", "certification.Certificate",
    "certification.CertificateVersion", "certification.CertificateSerial", "experts.Expert",
]
print(json.dumps({label: apps.get_model(label).objects.count() for label in labels}))
"""


def counts(var_dir: Path) -> dict[str, int]:
    return json.loads(in_var_dir(var_dir, COUNTS).strip().splitlines()[-1])


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_run_stops_all_three_within_seconds(tmp_path_factory, sig):
    var_dir = tmp_path_factory.getbasetemp() / "run-script-var"  # shared: the second start is a restart
    var_dir.mkdir(exist_ok=True)
    before = outside_var()
    process = start(var_dir, free_port(), var_dir / "run.log")
    time.sleep(3)  # the worker and beat finish starting (the pool's children exist)
    took, left = stop(process, sig)
    assert not left, f"still running {took:.1f} s after {sig.name}: {sorted(left)}"
    assert took < STOP_LIMIT, f"{sig.name}: stopped after {took:.1f} s"
    after = outside_var()
    assert after[0] == before[0], f"run.sh changed the repository outside var/: {after[0] ^ before[0]}"
    assert after[1] - before[1] == set(), "run.sh wrote outside VAR_DIR"


def sign_in(base: str, username: str) -> requests.Session:
    session = requests.Session()
    assert session.get(f"{base}/accounts/login/", timeout=30).status_code == 200
    answer = session.post(
        f"{base}/accounts/login/",
        data={
            "username": username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        headers={"Referer": f"{base}/accounts/login/"},
        timeout=30,
        allow_redirects=False,
    )
    assert answer.status_code == 302, answer.text[-1500:]
    return session


ISSUE = f"""
from accounts.models import User
from certification.certificates import services as certificates
from tests.factories import ApplicationFactory, EnterpriseFactory, district, field

official = User.objects.get(username="official_120116")
ids = [
    ApplicationFactory(
        enterprise=EnterpriseFactory(district=district("120116")), status="approved", field=field("0803")
    ).pk
    for _ in range({BATCH_SIZE})
]
print(" ".join(c.number for c in certificates.certificate_issue(by=official, application_ids=ids)))
"""


def progress(session: requests.Session, url: str) -> tuple[str, int, int]:
    page = session.get(url, timeout=30).text
    state = re.search(r'data-testid="batch-status" data-state="(\w+)"', page)
    done = re.search(r'data-testid="batch-progress">(\d+) / (\d+)<', page)
    return (state.group(1) if state else "?", *(map(int, done.groups()) if done else (0, 0)))


def test_restart_keeps_data_and_finishes_an_interrupted_batch(tmp_path):
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    before = outside_var()

    # (a) Two starts in a row on one VAR_DIR: the second has the first one's data, the seed not doubled.
    port = free_port()
    process = start(var_dir, port, var_dir / "run.log")
    stop(process, signal.SIGINT)
    first = counts(var_dir)
    assert first["accounts.User"] >= 50 + 16 + 3 and first["districts.District"] == 16
    numbers = set(in_var_dir(var_dir, ISSUE).split())
    assert len(numbers) == BATCH_SIZE
    first = counts(var_dir)

    process = start(var_dir, port, var_dir / "run.log", BATCH_STOP_GRACE)
    base = f"http://127.0.0.1:{port}"
    try:
        assert counts(var_dir) == first  # the restart's migrate and seed_demo added nothing
        official = sign_in(base, "official_120116")
        page = official.get(f"{base}/district/certificates/batch/", timeout=30).text
        ids = re.findall(r'name="certificates" value="(\d+)"', page)
        assert len(ids) == BATCH_SIZE
        answer = official.post(
            f"{base}/district/certificates/batch/",
            data=[("certificates", i) for i in ids]
            + [("csrfmiddlewaretoken", official.cookies["csrftoken"])],
            headers={"Referer": f"{base}/district/certificates/batch/"},
            timeout=30,
            allow_redirects=False,
        )
        assert answer.status_code == 302, answer.text[-1500:]
        status_url = base + answer.headers["Location"]
        # (b) Ctrl-C while the worker is half-way through the batch.
        deadline = time.monotonic() + 240
        while True:
            state, done, total = progress(official, status_url)
            if state == "running" and 0 < done < total:
                break
            assert state in ("queued", "running"), (state, done, total)
            assert time.monotonic() < deadline, f"the batch never ran: {state} {done}/{total}"
            time.sleep(0.3)
    finally:
        stop(process, signal.SIGINT)
    assert first == counts(var_dir)
    job_id = status_url.rstrip("/").rsplit("/", 1)[1]
    job = json.loads(
        in_var_dir(
            var_dir,
            "import json; from certification.certificates.tasks import batch_job; "
            f"print(json.dumps(batch_job({job_id!r})))",
        )
    )
    assert job["state"] == "running", f"the stop did not cut the batch short: {job}"

    process = start(var_dir, port, var_dir / "run.log")
    try:
        official = sign_in(base, "official_120116")
        # 200 certificates take about 60 s on a quiet core; seen at 165 of 200 after 300 s on a machine
        # running two other suites, so the bound is generous: it is a deadlock guard, not a timing.
        deadline = time.monotonic() + 900
        while (state := progress(official, status_url))[0] != "done":
            assert state[0] in ("queued", "running"), state
            assert time.monotonic() < deadline, f"the interrupted batch never finished: {state}"
            time.sleep(1)
        pdf = official.get(status_url + "download/", timeout=60)
        assert pdf.status_code == 200
        pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages]
    finally:
        stop(process, signal.SIGINT)
    per_page = [set(re.findall(r"TJ\d{4}120116\d{4}", text)) for text in pages]
    assert all(len(found) == 1 for found in per_page), per_page  # one certificate a page
    printed = [found.pop() for found in per_page]
    assert len(printed) == len(set(printed)), "a certificate printed twice"
    assert set(printed) == numbers, "a certificate missing"
    assert counts(var_dir) == first  # nothing issued twice, nothing lost
    assert outside_var() == before, "run.sh wrote outside VAR_DIR"
